/**
 * Write-back endpoints of the simulated shop: `POST fulfillments.json` (Fulfillment Orders model,
 * shape of fixtures/shopify/fulfillment-create-with-tracking.*) and `POST orders/{id}/cancel.json`.
 */
import { ApiError } from './listing'
import { LOCATION_ID, formatShopifyTime, newSubId, trackingUrl } from './orders'

type Json = Record<string, unknown>

export type OrderBook = {
  orders: Map<string, Json>
  /** Fulfilment orders by id. */
  fulfillmentOrders: Map<string, Json>
}

const unprocessable = (message: string) => new ApiError(422, { errors: [message] })
const lines = (value: unknown) => (Array.isArray(value) ? (value as Json[]) : [])

/** Keeps the order's status fields in step with its line items (closes paid, fully fulfilled orders). */
export function settleOrder(order: Json, now: string) {
  const shippable = lines(order.line_items).filter((line) => line.requires_shipping !== false)
  const remaining = shippable.reduce((sum, line) => sum + Number(line.fulfillable_quantity ?? line.quantity ?? 0), 0)
  const total = shippable.reduce((sum, line) => sum + Number(line.quantity ?? 0), 0)
  order.fulfillment_status = remaining === 0 && total > 0 ? 'fulfilled' : remaining < total ? 'partial' : null
  if (order.fulfillment_status === 'fulfilled' && order.financial_status === 'paid' && !order.closed_at)
    order.closed_at = now
  order.updated_at = now
}

export function closeFulfillmentOrder(fulfillmentOrder: Json, now: string) {
  fulfillmentOrder.status = 'closed'
  fulfillmentOrder.supported_actions = []
  for (const line of lines(fulfillmentOrder.line_items)) line.fulfillable_quantity = 0
  fulfillmentOrder.updated_at = now
}

export function createFulfillment(book: OrderBook, body: unknown): Json {
  const input = (body as Json | undefined)?.fulfillment as Json | undefined
  const groups = lines(input?.line_items_by_fulfillment_order)
  if (!input || !groups.length) throw unprocessable('line_items_by_fulfillment_order is required')

  // Validate everything before changing anything.
  const plan: { fulfillmentOrder: Json; line: Json; quantity: number }[] = []
  let orderId: string | null = null
  for (const group of groups) {
    const fulfillmentOrder = book.fulfillmentOrders.get(String(group.fulfillment_order_id))
    if (!fulfillmentOrder) throw unprocessable(`Fulfillment order ${group.fulfillment_order_id} does not exist.`)
    if (orderId !== null && orderId !== String(fulfillmentOrder.order_id))
      throw unprocessable('All fulfillment orders must belong to the same order.')
    orderId = String(fulfillmentOrder.order_id)
    if (!['open', 'in_progress'].includes(String(fulfillmentOrder.status))) {
      throw unprocessable(
        `Fulfillment order ${group.fulfillment_order_id} has an unfulfillable status= ${fulfillmentOrder.status}.`
      )
    }
    const foLines = lines(fulfillmentOrder.line_items)
    const requested =
      group.fulfillment_order_line_items === undefined
        ? foLines
            .filter((line) => Number(line.fulfillable_quantity) > 0)
            .map((line) => ({ line, quantity: Number(line.fulfillable_quantity) }))
        : lines(group.fulfillment_order_line_items).map((item) => ({
            line: foLines.find((line) => String(line.id) === String(item.id)),
            quantity: Number(item.quantity),
          }))
    for (const { line, quantity } of requested) {
      if (!line || !Number.isInteger(quantity) || quantity < 1 || quantity > Number(line.fulfillable_quantity)) {
        throw unprocessable('Invalid fulfillment order line item quantity requested.')
      }
      plan.push({ fulfillmentOrder, line, quantity })
    }
  }
  const order = book.orders.get(orderId!)
  if (!order || !plan.length) throw unprocessable('No fulfillable line items were requested.')

  const now = formatShopifyTime(new Date())
  const fulfilledLines: Json[] = []
  for (const { fulfillmentOrder, line, quantity } of plan) {
    line.fulfillable_quantity = Number(line.fulfillable_quantity) - quantity
    const orderLine = lines(order.line_items).find((candidate) => String(candidate.id) === String(line.line_item_id))
    if (orderLine) {
      orderLine.fulfillable_quantity = Math.max(
        0,
        Number(orderLine.fulfillable_quantity ?? orderLine.quantity) - quantity
      )
      orderLine.fulfillment_status = orderLine.fulfillable_quantity === 0 ? 'fulfilled' : 'partial'
      fulfilledLines.push({ ...orderLine, quantity })
    }
    if (lines(fulfillmentOrder.line_items).every((candidate) => Number(candidate.fulfillable_quantity) === 0))
      closeFulfillmentOrder(fulfillmentOrder, now)
    else fulfillmentOrder.status = 'in_progress'
  }
  settleOrder(order, now)

  const tracking = (input.tracking_info ?? {}) as Json
  const number = typeof tracking.number === 'string' ? tracking.number : null
  const company = typeof tracking.company === 'string' ? tracking.company : null
  const url = typeof tracking.url === 'string' ? tracking.url : trackingUrl(company, number)
  const id = newSubId()
  const fulfillments = lines(order.fulfillments)
  const fulfillment = {
    id,
    order_id: order.id,
    status: 'success',
    created_at: now,
    service: 'manual',
    updated_at: now,
    tracking_company: company,
    shipment_status: null,
    location_id: LOCATION_ID,
    origin_address: null,
    line_items: fulfilledLines,
    tracking_number: number,
    tracking_numbers: number ? [number] : [],
    tracking_url: url,
    tracking_urls: url ? [url] : [],
    receipt: {},
    name: `${order.name}.${fulfillments.length + 1}`,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${id}`,
  }
  order.fulfillments = [...fulfillments, fulfillment]
  return fulfillment
}

export function cancelOrder(book: OrderBook, orderId: string, body: unknown): Json {
  const order = book.orders.get(orderId)
  if (!order) throw new ApiError(404, { errors: 'Not Found' })
  if (order.cancelled_at) throw new ApiError(422, { errors: { base: ['Order has already been cancelled'] } })
  if (order.fulfillment_status === 'fulfilled')
    throw new ApiError(422, { errors: { base: ['Cannot cancel an order that has been fulfilled'] } })
  const input = (body ?? {}) as Json
  const now = formatShopifyTime(new Date())
  order.cancelled_at = now
  order.cancel_reason = typeof input.reason === 'string' ? input.reason : 'other'
  if (['pending', 'authorized'].includes(String(order.financial_status))) order.financial_status = 'voided'
  else if (input.refund || input.amount) order.financial_status = 'refunded'
  order.updated_at = now
  for (const fulfillmentOrder of book.fulfillmentOrders.values()) {
    if (String(fulfillmentOrder.order_id) === orderId && fulfillmentOrder.status !== 'closed')
      closeFulfillmentOrder(fulfillmentOrder, now)
  }
  return order
}
