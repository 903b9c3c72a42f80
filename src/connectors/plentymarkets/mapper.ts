/**
 * plentymarkets order → canonical order. Pure. Addresses come through `addressRelations`
 * (type 1 billing, 2 delivery) and keep Packstation / Postfiliale as such; SKUs are the
 * variation numbers (`with[]=orderItems.variation`); shipping cost items (type 6) become the
 * order's shipping cost; a status-8 order is a cancellation (PM5).
 */
import { multiplyMoney, sumMoney, toMoney } from '../../core/money'
import type { Address, IncomingOrder, IncomingOrderLine, IncomingProduct } from '../../core/model'
import type { PlentyAddress, PlentyOrder, PlentyVariation } from './schemas'

const ADDRESS_BILLING = 1
const ADDRESS_DELIVERY = 2
const OPTION_PHONE = 4
const OPTION_EMAIL = 5
const PROPERTY_SHIPPING_PROFILE = 2
/** Order item types that are goods: variation, bundle, bundle component, unassigned variation. */
const GOODS_ITEM_TYPES = [1, 2, 3, 9]
const SHIPPING_COSTS_ITEM = 6

const blank = (value: string | number | null | undefined) =>
  value !== null && value !== undefined && String(value).trim() ? String(value).trim() : null

function option(address: PlentyAddress, typeId: number): string | null {
  return blank(address.options?.find((entry) => entry.typeId === typeId)?.value)
}

export function plentyAddressToCanonical(address: PlentyAddress | undefined): Address | null {
  if (!address) return null
  const packstation = address.isPackstation || address.address1?.toUpperCase() === 'PACKSTATION'
  const postfiliale = address.isPostfiliale || address.address1?.toUpperCase() === 'POSTFILIALE'
  return {
    company: blank(address.name1),
    firstName: blank(address.name2),
    lastName: blank(address.name3),
    kind: packstation ? 'Packstation' : postfiliale ? 'Postfiliale' : null,
    street: blank(address.address1),
    houseNumber: blank(address.address2),
    street2: blank(address.address3),
    postcode: blank(address.postalCode),
    city: blank(address.town),
    countryCode: address.countryId === 1 ? 'DE' : null,
    country: address.countryId !== null && address.countryId !== undefined ? `plenty:${address.countryId}` : null,
    phone: blank(address.phone) ?? option(address, OPTION_PHONE),
    email: blank(address.email) ?? option(address, OPTION_EMAIL),
  }
}

function addressOf(order: PlentyOrder, typeId: number): PlentyAddress | undefined {
  const relation = order.addressRelations.find((entry) => entry.typeId === typeId)
  return relation ? order.addresses?.find((address) => address.id === relation.addressId) : undefined
}

function priceOf(item: PlentyOrder['orderItems'][number]): string {
  const amount = item.amounts.find((entry) => entry.isSystemCurrency) ?? item.amounts[0]
  return toMoney(amount?.priceGross ?? 0)
}

export function plentyOrderToCanonical(order: PlentyOrder, cancelledStatus: number): IncomingOrder {
  const amount = order.amounts.find((entry) => entry.isSystemCurrency) ?? order.amounts[0]
  const billing = plentyAddressToCanonical(addressOf(order, ADDRESS_BILLING))
  const delivery = plentyAddressToCanonical(addressOf(order, ADDRESS_DELIVERY))
  const contact = billing ?? delivery
  const lines: IncomingOrderLine[] = order.orderItems
    .filter((item) => GOODS_ITEM_TYPES.includes(item.typeId))
    .map((item) => {
      const unitPrice = priceOf(item)
      const sku = blank(item.variation?.number)
      const variationId = blank(item.itemVariationId)
      return {
        externalId: item.id,
        quantity: item.quantity,
        unitPrice,
        total: multiplyMoney(unitPrice, item.quantity),
        product: {
          externalId: variationId,
          name: item.orderItemName ?? sku ?? 'Unnamed item',
          description: null,
          sku,
          ean: null,
          code: variationId,
          category: null,
          dimensions: null,
          type: item.typeId === 2 ? ('bundle' as const) : ('single' as const),
          components: [],
        },
      }
    })
  const shippingItems = order.orderItems.filter((item) => item.typeId === SHIPPING_COSTS_ITEM)
  const shippingCost = shippingItems.length
    ? sumMoney(shippingItems.map((item) => multiplyMoney(priceOf(item), item.quantity)))
    : null
  const profile = blank(order.properties.find((property) => property.typeId === PROPERTY_SHIPPING_PROFILE)?.value)
  const createdAt = new Date(order.createdAt).toISOString()
  return {
    externalId: order.id,
    number: order.id,
    createdAt,
    updatedAt: order.updatedAt ? new Date(order.updatedAt).toISOString() : createdAt,
    currency: (amount?.currency ?? 'EUR').toUpperCase(),
    platformStatus: String(order.statusId),
    status: Math.floor(order.statusId) === Math.floor(cancelledStatus) ? 'cancelled' : null,
    orderType: order.typeId !== null && order.typeId !== undefined ? String(order.typeId) : null,
    total: toMoney(amount?.invoiceTotal ?? amount?.grossTotal ?? 0),
    shippingCost,
    customer: contact
      ? {
          externalId: null,
          firstName: contact.firstName ?? null,
          lastName: contact.lastName ?? null,
          email: contact.email ?? null,
          phone: contact.phone ?? delivery?.phone ?? null,
          address: billing,
        }
      : null,
    billingAddress: billing,
    shippingAddress: delivery,
    lines,
    delivery:
      delivery || shippingCost
        ? { carrier: profile ? `shipping profile ${profile}` : null, cost: shippingCost, address: delivery }
        : null,
    tracking: [],
  }
}

/** The barcode a scanner reads as the EAN: the first GTIN-shaped code (8, 12, 13 or 14 digits), else the first. */
function eanOf(variation: PlentyVariation): string | null {
  const codes = (variation.variationBarcodes ?? []).map((barcode) => barcode.code.trim()).filter(Boolean)
  return codes.find((code) => /^(\d{8}|\d{12,14})$/.test(code)) ?? codes[0] ?? null
}

const positive = (value: number | null | undefined, divisor = 1) =>
  value !== null && value !== undefined && Number.isFinite(value) && value > 0 ? String(value / divisor) : null

/**
 * A variation as a hub product (WM4): `number` is the SKU, a barcode the EAN, grams and
 * millimetres into grams and centimetres; a bundle carries its components by variation id (BB6).
 */
export function plentyVariationToProduct(variation: PlentyVariation): IncomingProduct {
  const sku = variation.number?.trim() || null
  const dimensions = {
    weight: positive(variation.weightG),
    length: positive(variation.lengthMM, 10),
    width: positive(variation.widthMM, 10),
    height: positive(variation.heightMM, 10),
  }
  const isBundle = variation.bundleType === 'bundle'
  return {
    externalId: String(variation.id),
    name: variation.name?.trim() || sku || `Variation ${variation.id}`,
    description: null,
    sku,
    ean: eanOf(variation),
    code: String(variation.id),
    category: null,
    dimensions: Object.values(dimensions).some((value) => value !== null) ? dimensions : null,
    type: isBundle ? 'bundle' : 'single',
    components: isBundle
      ? (variation.variationBundleComponents ?? []).map((component) => ({
          sku: null,
          externalId: String(component.componentVariationId),
          quantity: component.componentQuantity ?? 1,
        }))
      : [],
  }
}
