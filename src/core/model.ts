/**
 * The canonical model (SPEC §4) as connectors hand it to the importer. Connectors map platform
 * payloads into these shapes; nothing past a connector sees a platform's own field names.
 * Ids are strings, money is a decimal string, times are ISO 8601.
 */

export const PLATFORMS = ['shopify', 'woocommerce', 'cartum', 'plentymarkets', 'billbee', 'wemalo', 'plenigo'] as const
export type Platform = (typeof PLATFORMS)[number]

export const ORDER_STATUSES = [
  'new',
  'processing',
  'shipped',
  'address_error',
  'stock_error',
  /**
   * The source cancelled an order already handed over, and the destination has not answered yet;
   * `cancelled` when it confirms, `cancel_refused` when it refuses.
   */
  'cancel_requested',
  'cancelled',
  'cancel_refused',
  'returned',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export const ORDER_EVENT_TYPES = [
  'processing',
  'shipped',
  'address_error',
  'stock_error',
  /** The source cancelled an order already handed over; `cancelled` or `cancel_refused` follows. */
  'cancel_requested',
  'cancelled',
  'cancel_refused',
  'returned',
  'written_off',
  'comment',
  'handed_over',
  'handover_failed',
] as const
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number]

export type Address = {
  firstName?: string | null
  lastName?: string | null
  company?: string | null
  street?: string | null
  street2?: string | null
  houseNumber?: string | null
  postcode?: string | null
  city?: string | null
  region?: string | null
  country?: string | null
  countryCode?: string | null
  phone?: string | null
  email?: string | null
  /** Packstation, Postfiliale and the like: kept as the platform names them. */
  kind?: string | null
}

export type IncomingCustomer = {
  externalId: string | null
  firstName: string | null
  lastName: string | null
  email: string | null
  phone: string | null
  address: Address | null
}

export type IncomingCategory = { externalId: string | null; name: string }

/** A product's weight in grams and its sizes in centimetres (connectors convert the platform's units). */
export type Dimensions = {
  weight?: string | null
  length?: string | null
  width?: string | null
  height?: string | null
}

export type IncomingProduct = {
  /** The platform's product (or variant) id. */
  externalId: string | null
  name: string
  description: string | null
  sku: string | null
  ean: string | null
  code: string | null
  category: IncomingCategory | null
  dimensions: Dimensions | null
  type: 'single' | 'bundle'
  components: { sku: string | null; externalId: string | null; quantity: number }[]
}

export type IncomingOrderLine = {
  externalId: string | null
  product: IncomingProduct
  /** As ordered. */
  quantity: number
  /** What is left after refunds or removals, when the platform says so (Shopify's current_quantity). */
  currentQuantity?: number | null
  unitPrice: string
  total: string
}

export type Delivery = { carrier: string | null; cost: string | null; address: Address | null }

export type Tracking = { number: string; carrier: string | null; url?: string | null }

export type IncomingOrder = {
  externalId: string
  number: string
  createdAt: string
  updatedAt: string
  currency: string
  platformStatus: string | null
  /** What the platform says the order is in Kontor's terms, when it says anything (e.g. cancelled). */
  status: OrderStatus | null
  /** The platform's order type, for settings that differ by type (SH3). */
  orderType: string | null
  total: string
  shippingCost: string | null
  customer: IncomingCustomer | null
  billingAddress: Address | null
  shippingAddress: Address | null
  lines: IncomingOrderLine[]
  /** Delivery details (DL1); null where a platform's rule says not to import them (WC4). */
  delivery: Delivery | null
  tracking: Tracking[]
  /** The payment method as the platform names it (e.g. Shopify's gateway), for plenigo (PL3). */
  paymentMethod?: string | null
}

export type ImportKind = 'order' | 'product' | 'customer'

export type ImportResult = 'created' | 'updated' | 'unchanged' | 'duplicate' | 'skipped' | 'rejected' | 'failed'

/** What a connector hands the importer: a resource, or the decision not to import one. */
export type ImportRecord =
  | { kind: 'order'; order: IncomingOrder }
  | { kind: 'product'; product: IncomingProduct }
  | { kind: 'customer'; customer: IncomingCustomer }
  | {
      kind: 'decision'
      about: ImportKind
      externalId: string | null
      result: 'skipped' | 'rejected'
      rule?: string
      reason: string
    }
  | PrivacyRequest

/**
 * A platform's privacy request (Shopify's mandatory compliance webhooks): redact one customer's
 * personal data, collect what Kontor holds about them, or redact a whole shop (src/import/privacy.ts).
 */
export type PrivacyRequest = {
  kind: 'privacy'
  action: 'redact' | 'data_request' | 'shop_redact'
  /** Who it is about, as the platform names them; null for a whole shop. */
  customer: { email: string | null; phone: string | null; externalId: string | null } | null
  /** The platform's ids of the orders the request names (orders_to_redact, orders_requested). */
  orderExternalIds: string[]
  /** The platform's id of the request (data_request.id), when it has one. */
  requestId: string | null
}

/** A line for the import log that is about a run rather than one resource (e.g. SH1's clamp). */
export type ImportNote = { kind: ImportKind; result: ImportResult; rule?: string; reason: string }

/** A poll reads what changed since the last run; a backfill reads the past once (SH1, WC1 …). */
export type SyncMode = 'poll' | 'backfill'

/** An order event as reported (SPEC §4): by the back-office API, a destination, or the hub itself. */
export type OrderEventInput = {
  type: OrderEventType
  message?: string | null
  tracking?: Tracking[]
  data?: Record<string, unknown> | null
}

/** The hub's view of an order, as a write-back or an after-import hook needs it. */
export type OrderSnapshot = {
  id: string
  externalId: string
  number: string
  status: OrderStatus
  platformStatus: string | null
  writtenOff: boolean
  tracking: Tracking[]
  lines: { externalId: string | null; sku: string | null; quantity: number }[]
  /** Destinations the order was routed to, with their hand-over state (see Handover). */
  handovers: { destinationId: string; state: HandoverState; reference: string | null }[]
}

export type WriteBackResult =
  { result: 'done'; detail?: string; platformStatus?: string | null } | { result: 'not_applicable'; detail: string }

/**
 * A hand-over's life: `pending` until the destination accepted it, `sent` while the destination
 * still has to confirm it (plenigo's asynchronous import), `confirmed`, or `failed` for good.
 * A cancellation moves it to `cancel_requested`, then `cancelled` or `cancel_refused`.
 */
export const HANDOVER_STATES = [
  'pending',
  'sent',
  'confirmed',
  'failed',
  'cancel_requested',
  'cancelled',
  'cancel_refused',
  /** The cancellation could not be sent (destination deleted, or it kept failing): told on the order. */
  'cancel_failed',
] as const
export type HandoverState = (typeof HANDOVER_STATES)[number]

/** A line as a destination receives it; a bundle carries its components (BB6). */
export type HandoverLine = {
  id: string
  sku: string | null
  code: string | null
  name: string
  quantity: number
  unitPrice: string
  total: string
  product: {
    type: 'single' | 'bundle'
    components: { sku: string | null; externalId: string | null; quantity: number }[]
  } | null
}

/** The hub's order as a destination receives it (read fresh when the hand-over runs). */
export type HandoverOrder = {
  id: string
  tenantId: string
  connectionId: string
  platform: string
  externalId: string
  number: string
  createdAt: string
  currency: string
  status: OrderStatus
  total: string
  shippingCost: string | null
  paymentMethod: string | null
  customer: { firstName: string | null; lastName: string | null; email: string | null; phone: string | null } | null
  billingAddress: Address | null
  shippingAddress: Address | null
  lines: HandoverLine[]
}
