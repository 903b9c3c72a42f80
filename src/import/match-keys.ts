/**
 * How the importer recognises what it has seen before (P2, C3, P5). Pure: the keys become
 * derived ids, so two imports of the same product or customer meet on one row.
 */
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

/** C3: phones compare as digits with an optional leading +, so "+49 30 1234" equals "+49301234". */
export function phoneKey(phone: string | null | undefined): string | null {
  if (!phone) return null
  const trimmed = phone.trim()
  const digits = trimmed.replace(/\D/g, '')
  if (digits.length < 3) return null
  return (trimmed.startsWith('+') ? '+' : '') + digits
}

export function emailKey(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase()
  return trimmed && trimmed.includes('@') ? trimmed : null
}

/** A customer Kontor can recognise again: with a phone or an email. */
export function customerKeys(customer: IncomingCustomer | null) {
  return { phone: phoneKey(customer?.phone), email: emailKey(customer?.email) }
}

export function categoryKey(name: string): string {
  return name.trim()
}
