/**
 * The hub's order → plenigo's import request. Pure. PL3: one import item per order line that has
 * an offer (`offerMap` by SKU), carrying `externalSystemId` (the hub's order id and the line),
 * `plenigoOfferId`, `invoiceCustomerId`, `quantity`, `startDate` (the order date, RFC 3339) and
 * `paymentMethod` (the order's payment method through `paymentMethodMap`). A line without an
 * offer is reported, never dropped in silence; an order with none at all is refused.
 */
import { FinalError } from '../../core/errors'
import type { HandoverLine, HandoverOrder } from '../../core/model'
import type { PlenigoPaymentMethod, PlenigoSettings } from './schemas'

/** `OrderImport` as plenigo's OpenAPI describes it (required fields only, plus `managedBy`). */
export type PlenigoImportItem = {
  externalSystemId: string
  plenigoOfferId: string
  invoiceCustomerId: string
  quantity: number
  startDate: string
  paymentMethod: PlenigoPaymentMethod
  managedBy?: 'EXTERNAL' | 'WBZ'
}

export type LineWithoutOffer = { lineId: string; sku: string | null; name: string }

export type ImportPlan = {
  /** The import items without the customer id (known only after PL2). */
  items: Omit<PlenigoImportItem, 'invoiceCustomerId'>[]
  linesWithoutOffer: LineWithoutOffer[]
  /** Lines with an offer but nothing left of them (refunded or removed): not imported either. */
  linesWithoutQuantity: LineWithoutOffer[]
  paymentMethod: PlenigoPaymentMethod
}

const EXTERNAL_SYSTEM_ID_MAX = 100
const QUANTITY_MAX = 10_000

/** PL3: the order's payment method in plenigo's terms; exact key first, then without regard to case, then `default`. */
export function plenigoPaymentMethod(
  paymentMethod: string | null | undefined,
  map: PlenigoSettings['paymentMethodMap']
) {
  const name = paymentMethod?.trim() || null
  if (name) {
    if (Object.hasOwn(map, name)) return map[name]
    const key = Object.keys(map).find(
      (candidate) => candidate.toLowerCase() === name.toLowerCase() && candidate !== 'default'
    )
    if (key) return map[key]
  }
  if (Object.hasOwn(map, 'default')) return map.default
  throw new FinalError(
    name
      ? `payment method "${name}" has no plenigo payment method: add it (or a "default") to the connection's paymentMethodMap`
      : `the order has no payment method and the connection's paymentMethodMap has no "default"`
  )
}

/** RFC 3339 without fractional seconds (`2026-11-20T09:15:00Z`), as plenigo's examples write it. */
export function plenigoDateTime(iso: string): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) throw new FinalError(`the order date "${iso}" is not a date`)
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The line's `externalSystemId`: the hub's order id and the line (line ids are `<orderId>:<position>`). */
export function lineExternalSystemId(order: Pick<HandoverOrder, 'id'>, line: Pick<HandoverLine, 'id'>): string {
  const id = line.id.startsWith(`${order.id}:`) ? line.id : `${order.id}:${line.id}`
  if (id.length > EXTERNAL_SYSTEM_ID_MAX)
    throw new FinalError(
      `the line id ${id} is longer than plenigo's ${EXTERNAL_SYSTEM_ID_MAX} characters for externalSystemId`
    )
  return id
}

export function offerFor(line: Pick<HandoverLine, 'sku'>, offerMap: PlenigoSettings['offerMap']): string | null {
  const sku = line.sku?.trim()
  return sku && Object.hasOwn(offerMap, sku) ? offerMap[sku] : null
}

/** PL1 + PL3: what the order becomes in plenigo, or a FinalError saying why it cannot be imported. */
export function planPlenigoImport(order: HandoverOrder, settings: PlenigoSettings): ImportPlan {
  const linesWithoutOffer: LineWithoutOffer[] = []
  const linesWithoutQuantity: LineWithoutOffer[] = []
  const offered: { line: HandoverLine; offerId: string }[] = []
  for (const line of order.lines) {
    const offerId = offerFor(line, settings.offerMap)
    const about = { lineId: line.id, sku: line.sku, name: line.name }
    if (!offerId) linesWithoutOffer.push(about)
    else if (line.quantity < 1) linesWithoutQuantity.push(about)
    else offered.push({ line, offerId })
  }
  if (!offered.length && !linesWithoutQuantity.length) {
    const skus = linesWithoutOffer.map((line) => line.sku ?? `(no SKU: ${line.name})`).join(', ')
    throw new FinalError(`no line has a plenigo offer (offerMap has none of: ${skus || 'the order has no lines'})`)
  }
  if (!offered.length) {
    throw new FinalError(
      `no line with a plenigo offer has a quantity left (${linesWithoutQuantity.map((line) => line.sku).join(', ')}: refunded or removed)`
    )
  }
  const paymentMethod = plenigoPaymentMethod(order.paymentMethod, settings.paymentMethodMap)
  const startDate = plenigoDateTime(order.createdAt)
  const items = offered.map(({ line, offerId }) => {
    if (!Number.isInteger(line.quantity) || line.quantity > QUANTITY_MAX)
      throw new FinalError(
        `line ${line.sku ?? line.name}: quantity ${line.quantity} is outside plenigo's 1–${QUANTITY_MAX}`
      )
    return {
      externalSystemId: lineExternalSystemId(order, line),
      plenigoOfferId: offerId,
      quantity: line.quantity,
      startDate,
      paymentMethod,
      ...(settings.managedBy ? { managedBy: settings.managedBy } : {}),
    }
  })
  return { items, linesWithoutOffer, linesWithoutQuantity, paymentMethod }
}

const lineNames = (lines: LineWithoutOffer[]) =>
  lines.map((line) => (line.sku ? `${line.sku} (${line.name})` : `${line.name} (no SKU)`)).join(', ')

/** How lines left out read in the hand-over's detail. */
export function describeLinesWithoutOffer(
  lines: LineWithoutOffer[],
  withoutQuantity: LineWithoutOffer[] = []
): string | null {
  const parts = [
    lines.length ? `${lines.length} line(s) without a plenigo offer, not imported: ${lineNames(lines)}` : null,
    withoutQuantity.length
      ? `${withoutQuantity.length} line(s) with nothing left (refunded or removed), not imported: ${lineNames(withoutQuantity)}`
      : null,
  ].filter(Boolean)
  return parts.length ? parts.join('. ') : null
}

/** PL2: the body of `POST /customers` — email and language required, names when known. */
export function plenigoCustomerCreation(order: HandoverOrder, settings: PlenigoSettings) {
  const email = customerEmail(order)
  const firstName = (order.customer?.firstName ?? order.billingAddress?.firstName)?.trim().slice(0, 100)
  const lastName = (order.customer?.lastName ?? order.billingAddress?.lastName)?.trim().slice(0, 100)
  return {
    email,
    language: settings.language,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
  }
}

/** PL2: plenigo identifies the invoice customer by email; an order without one cannot be imported. */
export function customerEmail(order: HandoverOrder): string {
  const email = (order.customer?.email ?? order.billingAddress?.email)?.trim()
  if (!email)
    throw new FinalError('the order has no customer email: plenigo identifies the invoice customer by email (PL2)')
  if (email.length > 100) throw new FinalError(`the customer email is longer than plenigo's 100 characters`)
  return email
}
