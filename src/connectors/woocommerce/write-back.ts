/**
 * WC3: WooCommerce's order becomes `completed` only once the hub order is shipped AND written
 * off, whichever of the two events comes last. Tracking numbers go in as an order note, and into
 * the `_wc_shipment_tracking_items` meta when `shipmentTracking` is on. Idempotent steps run
 * first and the note last, so a retried message never completes twice or loses the note.
 * RT2: a return becomes an order note naming the lines and the warehouse's reason — no refund,
 * no restock (returned goods reach the shop's stock through the stock loop).
 */
import type { Tracking } from '../../core/model'
import type { OrderEventInput, OrderSnapshot, WriteBackResult } from '../../core/model'
import type { ConnectorContext, OutboundSteps } from '../types'
import { returnNote } from '../../core/returns'
import { addWooOrderNote, listWooOrderNotes, updateWooOrder } from './client'
import type { WooCredentials, WooSettings } from './schemas'

export function trackingNote(tracking: Tracking[]): string {
  return `Shipped. Tracking: ${tracking.map((item) => [item.carrier, item.number, item.url].filter(Boolean).join(' ')).join('; ')}`
}

export function shipmentTrackingItems(tracking: Tracking[], shippedAt: Date) {
  return tracking.map((item, index) => ({
    tracking_provider: item.carrier ?? '',
    custom_tracking_provider: '',
    custom_tracking_link: item.url ?? '',
    tracking_number: item.number,
    date_shipped: Math.floor(shippedAt.getTime() / 1000),
    tracking_id: `kontor-${index}-${item.number}`,
  }))
}

export async function writeBackToWooCommerce(
  context: ConnectorContext<WooCredentials, WooSettings>,
  order: OrderSnapshot,
  event: OrderEventInput,
  steps: OutboundSteps
): Promise<WriteBackResult> {
  if (event.type === 'returned') {
    const note = returnNote(event)
    await steps.once('note', () => addWooOrderNote(context.http, context.credentials, order.externalId, note), {
      alreadyDone: async () =>
        (await listWooOrderNotes(context.http, context.credentials, order.externalId)).includes(note),
    })
    return { result: 'done', detail: 'return note (RT2)' }
  }
  if (event.type !== 'shipped' && event.type !== 'written_off') {
    return { result: 'not_applicable', detail: `${event.type} is not written to WooCommerce` }
  }
  const done: string[] = []
  let platformStatus: string | undefined
  const changes: Record<string, unknown> = {}
  if (order.status === 'shipped' && order.writtenOff) changes.status = 'completed'
  if (event.type === 'shipped' && event.tracking?.length && context.settings.shipmentTracking) {
    changes.meta_data = [
      { key: '_wc_shipment_tracking_items', value: shipmentTrackingItems(order.tracking, context.now()) },
    ]
  }
  if (Object.keys(changes).length) {
    const updated = await updateWooOrder(context.http, context.credentials, order.externalId, changes)
    platformStatus = updated.status
    done.push(changes.status ? 'status completed (WC3)' : 'tracking meta')
  }
  if (event.type === 'shipped' && event.tracking?.length) {
    // A note is added again by every call: recorded, so a retried write-back adds none.
    const note = trackingNote(event.tracking)
    // A retry after a timeout that the platform survived finds the note there and adds none.
    const { skipped } = await steps.once(
      'note',
      async () => {
        await addWooOrderNote(context.http, context.credentials, order.externalId, note)
      },
      {
        alreadyDone: async () =>
          (await listWooOrderNotes(context.http, context.credentials, order.externalId)).some(
            (text) => text.trim() === note.trim()
          ),
      }
    )
    done.push(skipped ? 'tracking note (added before)' : 'tracking note')
  }
  if (!done.length) return { result: 'not_applicable', detail: 'WC3: completed only once shipped and written off' }
  return { result: 'done', detail: done.join(', '), platformStatus }
}
