/**
 * Cartum order → canonical order. Pure. Cartum has no modification time, so `updatedAt` is when
 * Kontor observed this state (webhook receipt or poll), which makes the newest observation win.
 * `stat_created` has no zone; it is read as UTC. CA2 maps the Cartum status through the
 * connection's status map; delivery details become the DL1 comment.
 */
import { multiplyMoney, toMoney } from '../../core/money'
import type { IncomingCustomer, IncomingOrder } from '../../core/model'
import type { CartumOrder, CartumSettings } from './schemas'
import { cartumStatusToKontor } from './status-map'

export function cartumTimeToIso(value: string): string {
  const time = Date.parse(value.includes('T') ? value : `${value.replace(' ', 'T')}Z`)
  return Number.isNaN(time) ? new Date(0).toISOString() : new Date(time).toISOString()
}

const blank = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null)

function cartumCustomer(order: CartumOrder): IncomingCustomer | null {
  const name = blank(order.delivery_name)
  const email = blank(order.delivery_email)
  const phone = blank(order.delivery_phone)
  if (!name && !email && !phone) return null
  const [firstName, ...rest] = (name ?? '').split(/\s+/)
  return {
    // `user` is not stable (guest checkouts): contacts are matched by phone or email instead.
    externalId: null,
    firstName: firstName || null,
    lastName: rest.join(' ') || null,
    email,
    phone,
    address: { city: blank(order.delivery_city), street: blank(order.delivery_address) },
  }
}

export function cartumOrderToCanonical(
  order: CartumOrder,
  settings: CartumSettings,
  observedAt: string
): IncomingOrder {
  // delivery_price -1 means "the carrier's tariff": not known to the shop.
  const deliveryPrice =
    order.delivery_price !== null && order.delivery_price !== undefined && Number(order.delivery_price) >= 0
      ? toMoney(order.delivery_price)
      : null
  const customer = cartumCustomer(order)
  return {
    externalId: order.order_id,
    number: order.order_id,
    createdAt: cartumTimeToIso(order.stat_created),
    updatedAt: observedAt,
    currency: order.currency.toUpperCase(),
    platformStatus: String(order.stat_status),
    status: cartumStatusToKontor(settings.statusMap, order.stat_status),
    orderType: null,
    total: toMoney(order.total_sum ?? order.total_default ?? 0),
    shippingCost: deliveryPrice,
    customer,
    billingAddress: null,
    shippingAddress: customer?.address ?? null,
    lines: order.products.map((product) => {
      const unitPrice = toMoney(product.price ?? 0)
      const sku = blank(product.article)
      return {
        externalId: null,
        quantity: product.quantity,
        unitPrice,
        total:
          product.total_price !== null && product.total_price !== undefined
            ? toMoney(product.total_price)
            : multiplyMoney(unitPrice, product.quantity),
        product: {
          externalId: sku,
          name: product.title,
          description: null,
          sku,
          ean: null,
          code: sku,
          category: null,
          dimensions: null,
          type: 'single' as const,
          components: [],
        },
      }
    }),
    delivery: {
      carrier: blank(order.delivery_type?.title),
      cost: deliveryPrice,
      address: customer
        ? {
            firstName: customer.firstName,
            lastName: customer.lastName,
            city: blank(order.delivery_city),
            street: blank(order.delivery_address),
          }
        : null,
    },
    tracking: [],
  }
}
