/**
 * What Kontor tells plentymarkets. After the hand-over (import) the order moves to 5.1 (PM3);
 * a cancellation that was handed over to 8.8, one the warehouse refused to the configured
 * `cancelRefusedStatus` with an order note — never 8.8 (PM5). Order events: address or stock
 * errors to 6.2 / 6.3 (PM4), returns to the return status (PM6), shipped as a shipping package
 * with the tracking number and the carrier in a note (PM7).
 */
import type { ConnectorContext, OrderEventInput, OrderSnapshot, WriteBackResult } from '../types'
import { addPlentyOrderNote, addPlentyShippingPackage, setPlentyStatus } from './client'
import type { PlentyCredentials, PlentySettings } from './schemas'

type Context = ConnectorContext<PlentyCredentials, PlentySettings>

async function refuseCancellation(context: Context, order: OrderSnapshot, message: string): Promise<string> {
  const refused = context.settings.cancelRefusedStatus
  await setPlentyStatus(context, order.externalId, refused)
  await addPlentyOrderNote(context, order.externalId, `Cancellation refused: ${message}`)
  return `status ${refused} and a note (PM5)`
}

/** PM3 and PM5 after an import: what the hand-over means for plenty's status. */
export async function afterPlentyImport(context: Context, order: OrderSnapshot): Promise<void> {
  const platformStatus = Number(order.platformStatus)
  if (platformStatus === context.settings.openStatus && order.status === 'new') {
    await setPlentyStatus(context, order.externalId, context.settings.handedOverStatus)
  } else if (platformStatus === context.settings.cancelledStatus) {
    if (order.status === 'cancelled')
      await setPlentyStatus(context, order.externalId, context.settings.cancelHandedOverStatus)
    else await refuseCancellation(context, order, `the order is already ${order.status}`)
  }
}

export async function writeBackToPlenty(
  context: Context,
  order: OrderSnapshot,
  event: OrderEventInput
): Promise<WriteBackResult> {
  const { settings } = context
  switch (event.type) {
    case 'address_error':
    case 'stock_error': {
      const status = event.type === 'address_error' ? settings.addressErrorStatus : settings.stockErrorStatus
      await setPlentyStatus(context, order.externalId, status)
      if (event.message) await addPlentyOrderNote(context, order.externalId, event.message)
      return { result: 'done', detail: `status ${status} (PM4)`, platformStatus: String(status) }
    }
    case 'cancelled':
      await setPlentyStatus(context, order.externalId, settings.cancelHandedOverStatus)
      return {
        result: 'done',
        detail: `status ${settings.cancelHandedOverStatus} (PM5)`,
        platformStatus: String(settings.cancelHandedOverStatus),
      }
    case 'cancel_refused':
      return {
        result: 'done',
        detail: await refuseCancellation(context, order, event.message ?? 'refused by the warehouse'),
      }
    case 'returned':
      await setPlentyStatus(context, order.externalId, settings.returnStatus)
      return {
        result: 'done',
        detail: `status ${settings.returnStatus} (PM6)`,
        platformStatus: String(settings.returnStatus),
      }
    case 'shipped': {
      const tracking = event.tracking ?? []
      for (const item of tracking) await addPlentyShippingPackage(context, order.externalId, item.number)
      const carriers = tracking.map((item) => `${item.carrier ?? 'unknown carrier'}: ${item.number}`).join(', ')
      await addPlentyOrderNote(context, order.externalId, `Shipped (${carriers})`)
      return { result: 'done', detail: `${tracking.length} shipping package(s) (PM7)` }
    }
    default:
      return { result: 'not_applicable', detail: `${event.type} is not written to plentymarkets` }
  }
}
