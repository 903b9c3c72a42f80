/**
 * WM1: the hub's order → a Wemalo goods order (`POST /goodsOrder/add`). Pure.
 * - `meta.externalId` is Kontor's order id (what getStatus and cancel look it up by),
 *   `meta.orderNumber` the platform's order number.
 * - The receiver is the shipping address, else the billing address; a receiver Wemalo would hold
 *   back as PARTIAL (name1, street, zip, city, countryCode2Letter missing) is refused here, before
 *   any call, with a FinalError whose message starts `address_error:`.
 * - Positions are matched by SKU (`meta.externalIdMatch: "sku"`); `total` (and `tax`, when the
 *   connection has a tax rate) in cents as integers. A bundle goes as its components only (BB6),
 *   each with the line quantity × the component quantity.
 */
import { FinalError } from '../../core/errors'
import { toMoney } from '../../core/money'
import type { Address, HandoverLine, HandoverOrder } from '../../core/model'
import type { WemaloSettings } from './schemas'

export type WemaloReceiver = {
  primary: boolean
  name1: string
  name2?: string
  street: string
  streetNumber?: string
  addressAddition?: string
  countryCode2Letter: string
  city: string
  zip: string
  stateProvinceCountry?: string
  phoneNumber?: string
  email?: string
}

export type WemaloPosition = {
  externalId: string
  quantity: number
  externalPositionIdentifier: string
  total?: number
  tax?: number
}

export type WemaloGoodsOrder = {
  meta: {
    externalId: string
    orderNumber: string
    currency: string
    /** In EUR only, as the apidoc says: left out for other currencies. */
    total?: number
    externalIdMatch: 'sku'
    dispatcherProfile?: string
    receiver: WemaloReceiver[]
  }
  positions: WemaloPosition[]
}

const blank = (value: string | null | undefined): string | undefined =>
  value !== null && value !== undefined && value.trim() !== '' ? value.trim() : undefined

/** A decimal amount as integer cents: `"19.90"` → 1990. */
export function toCents(amount: string): number {
  const [whole, fraction] = toMoney(amount).replace('-', '').split('.')
  const cents = Number(whole) * 100 + Number(fraction)
  return amount.trim().startsWith('-') && cents !== 0 ? -cents : cents
}

/** The VAT included in a gross amount, in cents. */
export function includedTaxCents(grossCents: number, ratePercent: number): number {
  return Math.round(grossCents - grossCents / (1 + ratePercent / 100))
}

function hasContent(address: Address | null): address is Address {
  return !!address && Object.values(address).some((value) => typeof value === 'string' && value.trim() !== '')
}

function countryCode(address: Address): string | undefined {
  const code = blank(address.countryCode) ?? blank(address.country)
  return code && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : undefined
}

/** The receiver Wemalo ships to; throws `address_error: …` when a field Wemalo requires is missing. */
export function wemaloReceiver(order: HandoverOrder): WemaloReceiver {
  const which = hasContent(order.shippingAddress) ? 'shipping' : 'billing'
  const address = which === 'shipping' ? order.shippingAddress : order.billingAddress
  if (!hasContent(address))
    throw new FinalError('address_error: the order has neither a shipping nor a billing address')
  const person = [blank(address.firstName), blank(address.lastName)].filter(Boolean).join(' ') || undefined
  const company = blank(address.company)
  const fields = {
    name1: company ?? person,
    street: blank(address.street),
    zip: blank(address.postcode),
    city: blank(address.city),
    countryCode2Letter: countryCode(address),
  }
  const labels: Record<keyof typeof fields, string> = {
    name1: 'name1 (name or company)',
    street: 'street',
    zip: 'zip (postcode)',
    city: 'city',
    countryCode2Letter: 'countryCode2Letter (a two-letter country code)',
  }
  const missing = (Object.keys(fields) as (keyof typeof fields)[]).filter((field) => !fields[field])
  if (missing.length) {
    throw new FinalError(
      `address_error: the ${which} address lacks ${missing.map((field) => labels[field]).join(', ')}, which Wemalo requires`
    )
  }
  const receiver: WemaloReceiver = {
    primary: true,
    name1: fields.name1!,
    street: fields.street!,
    countryCode2Letter: fields.countryCode2Letter!,
    city: fields.city!,
    zip: fields.zip!,
  }
  const optional: Partial<WemaloReceiver> = {
    name2: company ? person : undefined,
    streetNumber: blank(address.houseNumber),
    addressAddition: [blank(address.street2), blank(address.kind)].filter(Boolean).join(' ') || undefined,
    stateProvinceCountry: blank(address.region),
    phoneNumber: blank(address.phone) ?? blank(order.customer?.phone),
    email: blank(address.email) ?? blank(order.customer?.email),
  }
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) (receiver as Record<string, unknown>)[key] = value
  return receiver
}

function lineSku(line: HandoverLine): string {
  const sku = blank(line.sku) ?? blank(line.code)
  if (!sku) throw new FinalError(`line ${line.id} (${line.name}) has no SKU; Wemalo matches positions by SKU`)
  return sku
}

/** The positions of one line: itself, or a bundle's components (BB6). */
export function wemaloPositions(line: HandoverLine, settings: Pick<WemaloSettings, 'taxRate'>): WemaloPosition[] {
  if (line.product?.type === 'bundle' && line.product.components.length) {
    return line.product.components.map((component, index) => {
      const sku = blank(component.sku) ?? blank(component.externalId)
      if (!sku) throw new FinalError(`a component of bundle line ${line.id} (${line.name}) has no SKU`)
      // The bundle's price is not split over its components: Wemalo's prices are optional.
      return {
        externalId: sku,
        quantity: line.quantity * component.quantity,
        externalPositionIdentifier: `${line.id}-${index + 1}`,
      }
    })
  }
  const total = toCents(line.total)
  const position: WemaloPosition = {
    externalId: lineSku(line),
    quantity: line.quantity,
    externalPositionIdentifier: line.id,
    total,
  }
  if (settings.taxRate !== undefined) position.tax = includedTaxCents(total, settings.taxRate)
  return [position]
}

export function toWemaloGoodsOrder(
  order: HandoverOrder,
  settings: Pick<WemaloSettings, 'taxRate' | 'dispatcherProfile'>
): WemaloGoodsOrder {
  const receiver = wemaloReceiver(order)
  const positions = order.lines.flatMap((line) => wemaloPositions(line, settings))
  if (!positions.length) throw new FinalError('the order has no lines to hand over')
  return {
    meta: {
      externalId: order.id,
      orderNumber: order.number,
      currency: order.currency,
      ...(order.currency === 'EUR' ? { total: Number(toMoney(order.total)) } : {}),
      externalIdMatch: 'sku',
      ...(settings.dispatcherProfile ? { dispatcherProfile: settings.dispatcherProfile } : {}),
      receiver: [receiver],
    },
    positions,
  }
}
