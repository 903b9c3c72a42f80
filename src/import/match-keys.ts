/**
 * How the importer recognises what it has seen before (P2, C3, P5). Pure: the keys become
 * derived ids, so two imports of the same product or customer meet on one row.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min'
import type { IncomingCustomer, IncomingProduct } from '../core/model'

export type ProductMatch = 'name' | 'sku' | 'id'

/** P2: the key a product is matched by; falls back to the platform id when the chosen field is empty. */
export function productMatchKey(product: IncomingProduct, match: ProductMatch, connectionId: string): string {
  if (match === 'sku' && product.sku?.trim()) return `sku:${product.sku.trim()}`
  if (match === 'name' && product.name.trim()) return `name:${product.name.trim().toLowerCase()}`
  if (product.externalId) return `id:${connectionId}:${product.externalId}`
  if (product.sku?.trim()) return `sku:${product.sku.trim()}`
  return `name:${product.name.trim().toLowerCase()}`
}

/**
 * C3: a phone's key is its E.164 form, read with the country of the order's address where the
 * number is written nationally, so "030 1234" (in DE) and "+49 30 1234" meet as "+49301234".
 * A number libphonenumber-js cannot read stays digits with an optional leading + (the key every
 * phone had before). Customers stored before keep the key they were stored with: a national
 * number stored as "0301234" is not matched by "+49 30 1234" until its customer is imported again.
 */
export function phoneKey(phone: string | null | undefined, countryCode?: string | null): string | null {
  if (!phone) return null
  const trimmed = phone.trim()
  const digits = trimmed.replace(/\D/g, '')
  if (digits.length < 3) return null
  const parsed = parsePhoneNumberFromString(trimmed, { defaultCountry: phoneCountry(countryCode) })
  if (parsed?.isPossible()) return parsed.number
  return (trimmed.startsWith('+') ? '+' : '') + digits
}

/** The address's ISO country as libphonenumber-js knows it, or none (the number must then start with +). */
function phoneCountry(countryCode: string | null | undefined): CountryCode | undefined {
  const code = countryCode?.trim().toUpperCase()
  return code && isSupportedCountry(code) ? code : undefined
}

export function emailKey(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase()
  return trimmed && trimmed.includes('@') ? trimmed : null
}

/**
 * A customer Kontor can recognise again: with a phone or an email. `countryCode` is the order's
 * (billing, else shipping) address country; the customer's own address is the fallback.
 */
export function customerKeys(customer: IncomingCustomer | null, countryCode?: string | null) {
  return {
    phone: phoneKey(customer?.phone, countryCode ?? customer?.address?.countryCode),
    email: emailKey(customer?.email),
  }
}

export function categoryKey(name: string): string {
  return name.trim()
}
