/**
 * The platform rules that change how the general importer treats a source's orders and
 * products. Each field names the rule id that decides, so the import log can cite it; a field
 * left out means the general rule applies.
 */
export type ImportPolicy = {
  /**
   * Platform changes to an order are ignored once the hub has moved it past `new`
   * (BB8: re-import only while not processing).
   */
  ignoresChangesAfterNew?: string
  /**
   * An imported order is never updated from the platform again, except for a cancellation
   * (PM3: after the hand-over, later plenty changes are not imported).
   */
  importsOnce?: string
  /**
   * A platform cancellation is a request the hub may refuse: an order already in processing or
   * shipped stays as it is and gets a `cancel_refused` event (PM5).
   */
  cancellationsAreRequests?: string
  /**
   * A product update is rejected when it would give the product an SKU or EAN another product of
   * the tenant already has (BB4: Billbee requires both to be unique).
   */
  rejectsDuplicateProductCodes?: string
}
