/**
 * Shopify REST order → canonical order. Pure. Rules applied here: SH4 (SKU → sku, product id →
 * code), SH5 (the customer's address), SH6 (no customer data → null, the importer then uses the
 * tenant's "not specified" customer); delivery details for DL1 come from the shipping lines.
 */
import { multiplyMoney, sumMoney, toMoney } from '../../core/money'
import type { Address, IncomingCustomer, IncomingOrder, IncomingOrderLine, Tracking } from '../../core/model'
import type { ShopifyOrder } from './schemas'

type ShopifyAddress = NonNullable<ShopifyOrder['billing_address']>

function toIso(value: string): string {
  const time = Date.parse(value)
  return Number.isNaN(time) ? value : new Date(time).toISOString()
}

export function shopifyAddressToCanonical(address: ShopifyAddress | null | undefined): Address | null {
  if (!address) return null
  return {
    firstName: address.first_name ?? null,
    lastName: address.last_name ?? null,
    company: address.company ?? null,
    street: address.address1 ?? null,
    street2: address.address2 ?? null,
    postcode: address.zip ?? null,
    city: address.city ?? null,
    region: address.province ?? null,
    country: address.country ?? null,
    countryCode: address.country_code ?? null,
    phone: address.phone ?? null,
  }
}

function shopifyCustomerToCanonical(order: ShopifyOrder): IncomingCustomer | null {
  const customer = order.customer
  if (!customer) return null
  const address = customer.default_address ?? order.billing_address ?? order.shipping_address
  const phone = customer.phone ?? order.phone ?? address?.phone ?? null
  const email = customer.email ?? order.email ?? order.contact_email ?? null
  const firstName = customer.first_name ?? address?.first_name ?? null
  const lastName = customer.last_name ?? address?.last_name ?? null
  if (!phone && !email && !firstName && !lastName) return null
  return {
    externalId: customer.id ?? null,
    firstName,
    lastName,
    email,
    phone,
    address: shopifyAddressToCanonical(address),
  }
}

/** Units refunded per line item id, from the order's `refunds[].refund_line_items`. */
export function shopifyRefundedQuantities(order: ShopifyOrder): Map<string, number> {
  const refunded = new Map<string, number>()
  for (const refund of order.refunds)
    for (const item of refund.refund_line_items) {
      if (item.line_item_id) refunded.set(item.line_item_id, (refunded.get(item.line_item_id) ?? 0) + item.quantity)
    }
  return refunded
}

/**
 * G3, P6: every line as ordered — quantity, unit price and line total, which add up with the
 * order's `total_price` — also when it was cancelled, refunded or removed by an order edit.
 * What is left of it goes beside: `currentQuantity` is Shopify's `current_quantity` (ordered
 * minus refunded and removed units), or, where a trimmed payload lacks it, the ordered quantity
 * minus the units in `refunds[].refund_line_items`.
 */
function shopifyLinesToCanonical(order: ShopifyOrder): IncomingOrderLine[] {
  const refunded = shopifyRefundedQuantities(order)
  const anyRefunds = order.refunds.length > 0
  return order.line_items.flatMap((line) => {
    const quantity = line.quantity
    if (quantity <= 0) return []
    const refundedHere = line.id ? (refunded.get(line.id) ?? 0) : 0
    const currentQuantity = line.current_quantity ?? (anyRefunds ? Math.max(0, quantity - refundedHere) : null)
    const unitPrice = toMoney(line.price)
    const sku = line.sku?.trim() || null
    return [
      {
        externalId: line.id ?? null,
        quantity,
        currentQuantity,
        unitPrice,
        total: multiplyMoney(unitPrice, quantity),
        product: {
          externalId: line.variant_id ?? line.product_id ?? null,
          name: line.name ?? line.title ?? sku ?? 'Unnamed product',
          description: line.variant_title ?? null,
          sku,
          ean: null,
          code: line.product_id ?? null,
          category: null,
          dimensions: null,
          type: 'single' as const,
          components: [],
        },
      },
    ]
  })
}

function shopifyTracking(order: ShopifyOrder): Tracking[] {
  return order.fulfillments.flatMap((fulfillment) => {
    const numbers = fulfillment.tracking_numbers?.length
      ? fulfillment.tracking_numbers
      : fulfillment.tracking_number
        ? [fulfillment.tracking_number]
        : []
    return numbers.map((number) => ({
      number,
      carrier: fulfillment.tracking_company ?? null,
      url: fulfillment.tracking_url ?? null,
    }))
  })
}

export function shopifyPlatformStatus(order: ShopifyOrder): string {
  if (order.cancelled_at) return 'cancelled'
  return `${order.financial_status ?? 'unknown'}/${order.fulfillment_status ?? 'unfulfilled'}`
}

export function shopifyOrderToCanonical(order: ShopifyOrder): IncomingOrder {
  const shipping = order.shipping_lines
  const shippingCost = shipping.length ? sumMoney(shipping.map((line) => toMoney(line.price))) : null
  const lines = shopifyLinesToCanonical(order)
  return {
    externalId: order.id,
    number: order.name ?? String(order.order_number ?? order.id),
    createdAt: toIso(order.created_at),
    updatedAt: toIso(order.updated_at ?? order.created_at),
    currency: order.currency.toUpperCase(),
    platformStatus: shopifyPlatformStatus(order),
    status: order.cancelled_at ? 'cancelled' : null,
    orderType: order.source_name ?? null,
    paymentMethod: order.payment_gateway_names?.find((name) => name.trim())?.trim() ?? (order.gateway?.trim() || null),
    total:
      order.total_price !== null && order.total_price !== undefined
        ? toMoney(order.total_price)
        : sumMoney(lines.map((line) => line.total)),
    shippingCost,
    customer: shopifyCustomerToCanonical(order),
    billingAddress: shopifyAddressToCanonical(order.billing_address),
    shippingAddress: shopifyAddressToCanonical(order.shipping_address),
    lines,
    delivery: shipping.length
      ? {
          carrier:
            shipping
              .map((line) => line.title ?? line.code ?? line.source)
              .filter(Boolean)
              .join(', ') || null,
          cost: shippingCost,
          address: shopifyAddressToCanonical(order.shipping_address),
        }
      : null,
    tracking: shopifyTracking(order),
  }
}

/** SH1: the backfill leaves out fulfilled, cancelled and refunded orders. */
export function shopifyBackfillExclusion(order: ShopifyOrder): string | null {
  if (order.cancelled_at) return 'cancelled'
  if (order.fulfillment_status === 'fulfilled') return 'fulfilled'
  if (order.financial_status === 'refunded') return 'refunded'
  return null
}
