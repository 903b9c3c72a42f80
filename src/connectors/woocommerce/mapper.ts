/**
 * WooCommerce REST v3 resources → canonical model. Pure. Rules applied here: WC2 / WC10 (no
 * products, no customer, or neither email nor phone: not imported), WC4 (no delivery details),
 * WC5 (SKU → sku, product id → code), WC9 (phone from shipping, else billing), and
 * `checkout-draft` orders are never imported. A variable product's variations are its articles.
 */
import { toMoney } from '../../core/money'
import type {
  Address,
  Dimensions,
  ImportRecord,
  IncomingCategory,
  IncomingCustomer,
  IncomingOrder,
  IncomingProduct,
} from '../../core/model'
import { type CategoryTree, chooseWooCategory } from './categories'
import type { WooCustomer, WooOrder, WooProduct, WooSettings, WooVariation } from './schemas'

type WooAddress = NonNullable<WooOrder['billing']>

/** WooCommerce's `*_gmt` fields are UTC without an offset. */
export function wooGmtToIso(value: string | null | undefined): string | null {
  if (!value) return null
  const time = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
  return Number.isNaN(time) ? null : new Date(time).toISOString()
}

const blank = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null)

export function wooAddressToCanonical(address: WooAddress | null | undefined): Address | null {
  if (!address) return null
  const mapped: Address = {
    firstName: blank(address.first_name),
    lastName: blank(address.last_name),
    company: blank(address.company),
    street: blank(address.address_1),
    street2: blank(address.address_2),
    postcode: blank(address.postcode),
    city: blank(address.city),
    region: blank(address.state),
    countryCode: blank(address.country),
    phone: blank(address.phone),
    email: blank(address.email),
  }
  return Object.values(mapped).some(Boolean) ? mapped : null
}

/** WC9: the phone comes from shipping, else billing; the email from billing. */
export function wooOrderCustomer(order: WooOrder): IncomingCustomer | null {
  const phone = blank(order.shipping?.phone) ?? blank(order.billing?.phone)
  const email = blank(order.billing?.email)
  const firstName = blank(order.billing?.first_name) ?? blank(order.shipping?.first_name)
  const lastName = blank(order.billing?.last_name) ?? blank(order.shipping?.last_name)
  if (!phone && !email && !firstName && !lastName) return null
  const customerId = order.customer_id && order.customer_id !== '0' ? order.customer_id : null
  return { externalId: customerId, firstName, lastName, email, phone, address: wooAddressToCanonical(order.billing) }
}

/** Why an order is not imported, or null when it is (WC2, WC10, checkout drafts). */
export function wooOrderRejection(
  order: WooOrder
): { rule?: string; reason: string; result: 'skipped' | 'rejected' } | null {
  if (order.status === 'checkout-draft') return { result: 'skipped', reason: 'checkout drafts are never imported' }
  if (!order.line_items.length) return { result: 'rejected', rule: 'WC2', reason: 'the order has no products' }
  const customer = wooOrderCustomer(order)
  if (!customer) return { result: 'rejected', rule: 'WC2', reason: 'the order has no customer' }
  if (!customer.email && !customer.phone) {
    return { result: 'rejected', rule: 'WC10', reason: 'the customer has neither email nor phone' }
  }
  return null
}

/** WC1: statuses the initial import leaves out. */
export const WOO_BACKFILL_EXCLUDED = ['completed', 'cancelled', 'refunded', 'failed', 'trash']

export function wooOrderToCanonical(
  order: WooOrder,
  categoryOfProduct: (productId: string) => { externalId: string; name: string } | null = () => null
): IncomingOrder {
  const createdAt = wooGmtToIso(order.date_created_gmt) ?? wooGmtToIso(order.date_created) ?? new Date(0).toISOString()
  return {
    externalId: order.id,
    number: String(order.number ?? order.id),
    createdAt,
    updatedAt: wooGmtToIso(order.date_modified_gmt) ?? createdAt,
    currency: order.currency.toUpperCase(),
    platformStatus: order.status,
    status: order.status === 'cancelled' ? 'cancelled' : null,
    orderType: null,
    total: toMoney(order.total),
    shippingCost:
      order.shipping_total !== null && order.shipping_total !== undefined ? toMoney(order.shipping_total) : null,
    customer: wooOrderCustomer(order),
    billingAddress: wooAddressToCanonical(order.billing),
    shippingAddress: wooAddressToCanonical(order.shipping),
    lines: order.line_items.map((line) => {
      const productId = line.product_id && line.product_id !== '0' ? line.product_id : null
      const variationId = line.variation_id && line.variation_id !== '0' ? line.variation_id : null
      const category = productId ? categoryOfProduct(productId) : null
      return {
        externalId: line.id ?? null,
        quantity: line.quantity,
        unitPrice: toMoney(line.price ?? 0),
        total: toMoney(line.total ?? 0),
        product: {
          externalId: variationId ?? productId,
          name: line.name ?? blank(line.sku) ?? 'Unnamed product',
          description: null,
          sku: blank(line.sku),
          ean: null,
          code: productId,
          category: category ? { externalId: category.externalId, name: category.name } : null,
          dimensions: null,
          type: 'single' as const,
          components: [],
        },
      }
    }),
    // WC4: delivery information is not imported from WooCommerce.
    delivery: null,
    tracking: [],
  }
}

export function wooOrderToRecord(
  order: WooOrder,
  categoryOfProduct?: (productId: string) => { externalId: string; name: string } | null
): ImportRecord {
  const rejection = wooOrderRejection(order)
  if (rejection) return { kind: 'decision', about: 'order', externalId: order.id, ...rejection }
  return { kind: 'order', order: wooOrderToCanonical(order, categoryOfProduct) }
}

const GRAMS_PER: Record<WooSettings['weightUnit'], number> = { kg: 1000, g: 1, lbs: 453.59237, oz: 28.349523125 }
const CENTIMETRES_PER: Record<WooSettings['dimensionUnit'], number> = { m: 100, cm: 1, mm: 0.1, in: 2.54, yd: 91.44 }

/** A store-unit figure in the hub's unit (grams, centimetres), or null when there is none. */
function inHubUnit(value: string | null | undefined, factor: number): string | null {
  const number = Number(blank(value) ?? Number.NaN)
  return Number.isFinite(number) ? String(Math.round(number * factor * 1000) / 1000) : null
}

type Units = Pick<WooSettings, 'weightUnit' | 'dimensionUnit'>
const DEFAULT_UNITS: Units = { weightUnit: 'kg', dimensionUnit: 'cm' }

/** Weight and sizes from the store's units into grams and centimetres; null when none is given. */
function wooDimensions(item: Pick<WooProduct, 'weight' | 'dimensions'>, units: Units): Dimensions | null {
  const dimensions = item.dimensions
  const size = CENTIMETRES_PER[units.dimensionUnit]
  return item.weight || dimensions?.length || dimensions?.width || dimensions?.height
    ? {
        weight: inHubUnit(item.weight, GRAMS_PER[units.weightUnit]),
        length: inHubUnit(dimensions?.length, size),
        width: inHubUnit(dimensions?.width, size),
        height: inHubUnit(dimensions?.height, size),
      }
    : null
}

/**
 * WC5–WC8: SKU → sku, `global_unique_id` → ean, id → code, the category by the tree rules; weight
 * and sizes from the store's units into grams and centimetres.
 */
export function wooProductToCanonical(
  product: WooProduct,
  tree: CategoryTree,
  units: Units = DEFAULT_UNITS
): IncomingProduct {
  const category = chooseWooCategory(product.categories, tree)
  return {
    externalId: product.id,
    name: product.name,
    description: blank(product.short_description) ?? blank(product.description),
    sku: blank(product.sku),
    ean: blank(product.global_unique_id),
    code: product.id,
    category: category ? { externalId: category.id, name: category.name } : null,
    dimensions: wooDimensions(product, units),
    type: 'single',
    components: [],
  }
}

/** What a variation takes from its variable product: the name, the id (as `code`, WC5), the category. */
export type WooVariationParent = { id: string; name: string; category: IncomingCategory | null }

export function wooVariationParent(product: WooProduct, tree: CategoryTree): WooVariationParent {
  const category = chooseWooCategory(product.categories, tree)
  return {
    id: product.id,
    name: product.name,
    category: category ? { externalId: category.id, name: category.name } : null,
  }
}

/**
 * A variation is the article (the variable product is none): its id → externalId (as order lines
 * name it by `variation_id`), its own SKU and `global_unique_id`, weight and sizes; the name as
 * WooCommerce makes it, "Parent - Option, Option".
 */
export function wooVariationToCanonical(
  variation: WooVariation,
  parent: WooVariationParent,
  units: Units = DEFAULT_UNITS
): IncomingProduct {
  const options = variation.attributes.map((attribute) => blank(attribute.option)).filter(Boolean)
  return {
    externalId: variation.id,
    name: blank(variation.name) ?? (options.length ? `${parent.name} - ${options.join(', ')}` : parent.name),
    description: blank(variation.description),
    sku: blank(variation.sku),
    ean: blank(variation.global_unique_id),
    code: parent.id,
    category: parent.category,
    dimensions: wooDimensions(variation, units),
    type: 'single',
    components: [],
  }
}

/** WC9 for customers arriving on their own. */
export function wooCustomerToCanonical(customer: WooCustomer): IncomingCustomer {
  return {
    externalId: customer.id,
    firstName: blank(customer.first_name) ?? blank(customer.billing?.first_name),
    lastName: blank(customer.last_name) ?? blank(customer.billing?.last_name),
    email: blank(customer.email) ?? blank(customer.billing?.email),
    phone: blank(customer.shipping?.phone) ?? blank(customer.billing?.phone),
    address: wooAddressToCanonical(customer.billing),
  }
}
