/**
 * SH2: Kontor writes nothing back to Shopify unless the connection's `fulfilmentSync` is on;
 * then `shipped` fulfils the order's open fulfilment orders with the tracking number. A retry
 * after success finds no open fulfilment order and does nothing, so it never fulfils twice.
 */
import type { OrderEventInput, OrderSnapshot, WriteBackResult } from '../../core/model'
import type { ConnectorContext } from '../types'
import { createFulfillment, fetchOpenFulfillmentOrders } from './client'
import type { ShopifyCredentials, ShopifySettings } from './schemas'

export async function writeBackToShopify(
  context: ConnectorContext<ShopifyCredentials, ShopifySettings>,
  order: OrderSnapshot,
  event: OrderEventInput
): Promise<WriteBackResult> {
  if (!context.settings.fulfilmentSync) return { result: 'not_applicable', detail: 'SH2: fulfilmentSync is off' }
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
