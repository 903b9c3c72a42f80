/**
 * What Kontor tells plentymarkets. The order moves to 5.1 once it is handed over (PM3): on import
 * when the connection has no route, else when the destination confirmed it (`handed_over`). A
 * cancellation goes to 8.8 once the hub or the destination cancelled it; one that was refused
 * goes to `cancelRefusedStatus` with an order note — never 8.8 (PM5). Order events: address or
 * stock errors to 6.2 / 6.3 with the message as a note (PM4), returns as a note naming the lines
 * and the return status once every line is back (PM6, RT2), shipped as a shipping package per
 * tracking number with the carrier in a note (PM7).
 *
 * Statuses are set from the order as it stands now (a late event does not move plenty back);
 * notes and shipping packages are added once per event through the recorded steps.
 */
import type { OrderEventInput, OrderSnapshot, OrderStatus, WriteBackResult } from '../../core/model'
import { returnNote } from '../../core/returns'
import type { ConnectorContext, OutboundSteps } from '../types'
import {
  addPlentyOrderNote,
  addPlentyShippingPackage,
  plentyHasOrderNote,
  plentyHasShippingPackage,
  setPlentyStatus,
} from './client'
import type { PlentyCredentials, PlentySettings } from './schemas'

type Context = ConnectorContext<PlentyCredentials, PlentySettings>

/** Adds a note once: recorded as a step, and looked up on plenty when an earlier attempt lost its answer. */
function addNoteOnce(context: Context, steps: OutboundSteps, orderId: string, text: string) {
  return steps.once('note', () => addPlentyOrderNote(context, orderId, text), {
    alreadyDone: () => plentyHasOrderNote(context, orderId, text),
  })
}

/** plenty's status for the hub's current status, where plenty has one. */
function plentyStatusFor(settings: PlentySettings, status: OrderStatus): number | null {
  switch (status) {
    case 'address_error':
      return settings.addressErrorStatus
    case 'stock_error':
      return settings.stockErrorStatus
    case 'cancelled':
      return settings.cancelHandedOverStatus
    case 'cancel_refused':
      return settings.cancelRefusedStatus
    default:
      return null
  }
}

async function refuseCancellation(context: Context, order: OrderSnapshot, message: string, steps?: OutboundSteps) {
  const refused = context.settings.cancelRefusedStatus
  await setPlentyStatus(context, order.externalId, refused)
  const text = `Cancellation refused: ${message}`
  if (steps) await addNoteOnce(context, steps, order.externalId, text)
  else await addPlentyOrderNote(context, order.externalId, text)
  return `status ${refused} and a note (PM5)`
}

/**
 * PM3 and PM5 after an import. A routed order waits for its destination: 5.1 follows the
 * confirmed hand-over, 8.8 or the refusal follow the destination's answer (both as events).
 */
export async function afterPlentyImport(context: Context, order: OrderSnapshot, steps: OutboundSteps): Promise<void> {
  const platformStatus = Number(order.platformStatus)
  const routed = order.handovers.length > 0
  if (platformStatus === context.settings.openStatus && order.status === 'new') {
    if (!routed) await setPlentyStatus(context, order.externalId, context.settings.handedOverStatus)
  } else if (platformStatus === context.settings.cancelledStatus) {
    if (order.status === 'processing' || order.status === 'shipped')
      // The hook runs again on every read of the unchanged order: the note goes once (issue 16, finding 4).
      await refuseCancellation(context, order, `the order is already ${order.status}`, steps)
    else if (order.status === 'cancelled' && !routed)
      await setPlentyStatus(context, order.externalId, context.settings.cancelHandedOverStatus)
  }
}

/**
 * PM6, RT2: every return gets a note naming its lines and the warehouse's reason; the order moves
 * to `returnStatus` only once the hub order is `returned` (every line came back). Never a refund,
 * never a stock booking: returned goods reach plenty's stock through the stock loop.
 */
async function writeReturn(
  context: Context,
  order: OrderSnapshot,
  event: OrderEventInput,
  steps: OutboundSteps
): Promise<WriteBackResult> {
  const status = context.settings.returnStatus
  const complete = order.status === 'returned'
  if (complete) {
    await steps.once(`status:${status}`, async () => {
      await setPlentyStatus(context, order.externalId, status)
      return `status ${status}`
    })
  }
  await addNoteOnce(context, steps, order.externalId, returnNote(event))
  return complete
    ? { result: 'done', detail: `status ${status} and a note (PM6, RT2)`, platformStatus: String(status) }
    : { result: 'done', detail: `a note; the order is ${order.status}, not every line is back yet (RT2)` }
}

export async function writeBackToPlenty(
  context: Context,
  order: OrderSnapshot,
  event: OrderEventInput,
  steps: OutboundSteps
): Promise<WriteBackResult> {
  const { settings } = context
  switch (event.type) {
    case 'handed_over': {
      if (order.status !== 'new' && order.status !== 'processing')
        return { result: 'not_applicable', detail: `the order is ${order.status} by now; 5.1 not set` }
      await setPlentyStatus(context, order.externalId, settings.handedOverStatus)
      return {
        result: 'done',
        detail: `status ${settings.handedOverStatus} (PM3)`,
        platformStatus: String(settings.handedOverStatus),
      }
    }
    case 'address_error':
    case 'stock_error':
    case 'cancelled': {
      const status = plentyStatusFor(settings, order.status)
      if (status === null || order.status !== event.type)
        return { result: 'not_applicable', detail: `the order is ${order.status} by now; ${event.type} not written` }
      await setPlentyStatus(context, order.externalId, status)
      if ((event.type === 'address_error' || event.type === 'stock_error') && event.message) {
        await addNoteOnce(context, steps, order.externalId, event.message)
      }
      const rule = event.type === 'cancelled' ? 'PM5' : 'PM4'
      return { result: 'done', detail: `status ${status} (${rule})`, platformStatus: String(status) }
    }
    case 'returned':
      return writeReturn(context, order, event, steps)
    case 'cancel_refused':
      return {
        result: 'done',
        detail: await refuseCancellation(context, order, event.message ?? 'refused by the warehouse', steps),
        platformStatus: String(settings.cancelRefusedStatus),
      }
    case 'shipped': {
      const tracking = event.tracking ?? []
      // plenty adds a package and a note per call: each is recorded, so a retry adds none twice.
      for (const item of tracking) {
        await steps.once(
          `package:${item.number}`,
          () => addPlentyShippingPackage(context, order.externalId, item.number),
          {
            alreadyDone: () => plentyHasShippingPackage(context, order.externalId, item.number),
          }
        )
      }
      const carriers = tracking.map((item) => `${item.carrier ?? 'unknown carrier'}: ${item.number}`).join(', ')
      await addNoteOnce(context, steps, order.externalId, `Shipped (${carriers})`)
      return { result: 'done', detail: `${tracking.length} shipping package(s) (PM7)` }
    }
    default:
      return { result: 'not_applicable', detail: `${event.type} is not written to plentymarkets` }
  }
}
