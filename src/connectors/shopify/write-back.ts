/**
 * SH2: Kontor writes nothing back to Shopify unless the connection's `fulfilmentSync` is on;
 * then `shipped` fulfils the order's open fulfilment orders with the tracking number. A retry
 * after success finds no open fulfilment order and does nothing, so it never fulfils twice.
 * RT2: under the same switch, a return is added to the order's note (lines and the warehouse's
 * reason); never a refund, never a restock.
 */
import type { OrderEventInput, OrderSnapshot, WriteBackResult } from '../../core/model'
import { returnNote } from '../../core/returns'
import type { ConnectorContext, OutboundSteps } from '../types'
import { appendOrderNote, createFulfillment, fetchOpenFulfillmentOrders, fetchOrderNote } from './client'
import type { ShopifyCredentials, ShopifySettings } from './schemas'

export async function writeBackToShopify(
  context: ConnectorContext<ShopifyCredentials, ShopifySettings>,
  order: OrderSnapshot,
  event: OrderEventInput,
  steps: OutboundSteps
): Promise<WriteBackResult> {
  if (!context.settings.fulfilmentSync) return { result: 'not_applicable', detail: 'SH2: fulfilmentSync is off' }
  if (event.type === 'returned') {
    const text = returnNote(event)
    await steps.once('note', () => appendOrderNote(context, order.externalId, text), {
      alreadyDone: async () => (await fetchOrderNote(context, order.externalId)).includes(text),
    })
    return { result: 'done', detail: 'return added to the order note (RT2)' }
  }
  if (event.type !== 'shipped')
    return { result: 'not_applicable', detail: `SH2: ${event.type} is not written to Shopify` }
  const tracking = event.tracking?.[0] ?? order.tracking[0]
  if (!tracking) return { result: 'not_applicable', detail: 'no tracking number to send' }
  const open = await fetchOpenFulfillmentOrders(context, order.externalId)
  if (!open.length) return { result: 'done', detail: 'no open fulfilment order left (already fulfilled)' }
  const fulfillment = await createFulfillment(context, {
    fulfillmentOrderIds: open.map((fulfillmentOrder) => fulfillmentOrder.id),
    tracking: { number: tracking.number, company: tracking.carrier, url: tracking.url },
  })
  return {
    result: 'done',
    detail: `fulfilment ${fulfillment.id} created with tracking ${tracking.number}`,
    platformStatus: 'fulfilled',
  }
}
