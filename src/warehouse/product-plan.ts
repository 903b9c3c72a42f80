/**
 * What to tell a warehouse about one hub product (WM4, WM5, BB4–BB6). Pure: the use case
 * (send-products.ts) reads the product, what was sent before and who else holds its codes, and
 * does what this decides.
 */
import type { Dimensions } from '../core/model'
import type { WarehouseProduct } from '../connectors/types'

/** The hub's product as the plan needs it (a `products` row). */
export type HubProduct = {
  id: string
  name: string
  sku: string | null
  ean: string | null
  type: string
  dimensions: Dimensions | null
}

/** What the warehouse was told about the product before (a `warehouse_products` row), if anything. */
export type SentProduct = {
  state: 'adding' | 'sent' | 'rejected' | 'skipped'
  externalId: string | null
  dimensions: Dimensions | null
  sentHash: string | null
}

export type ProductDecision =
  | { action: 'reject'; rule: 'WM4' | 'BB4'; reason: string }
  | { action: 'skip'; rule: 'BB6'; reason: string }
  /** New at the warehouse (or a first send that never finished: `adding`). */
  | { action: 'add'; product: WarehouseProduct }
  /** Held by the warehouse: sent again only when `product` differs from what was sent. */
  | { action: 'update'; product: WarehouseProduct; dimensionsKept: boolean }

const blank = (value: string | null | undefined) => (value?.trim() ? value.trim() : null)

/** A positive number from the hub's text, else null (0 or garbage is "not known"). */
function measure(value: string | null | undefined): number | null {
  const number = Number(value)
  return value !== null && value !== undefined && value !== '' && Number.isFinite(number) && number > 0
    ? Math.round(number * 1000) / 1000
    : null
}

const sameDimensions = (a: Dimensions | null, b: Dimensions | null) =>
  (['weight', 'length', 'width', 'height'] as const).every((key) => measure(a?.[key]) === measure(b?.[key]))

/**
 * `takenBy`: the other product of this warehouse that already has the SKU or EAN this one would
 * get, described for the log (BB4), or null.
 */
export function planProduct(product: HubProduct, sent: SentProduct | null, takenBy: string | null): ProductDecision {
  const sku = blank(product.sku)
  const ean = blank(product.ean)
  if (product.type === 'bundle')
    return { action: 'skip', rule: 'BB6', reason: 'a bundle is not sent to the warehouse; its components are' }
  if (!sku || !ean)
    return { action: 'reject', rule: 'WM4', reason: `the product has no ${!sku ? 'SKU' : 'EAN'}; Wemalo needs both` }
  if (takenBy) return { action: 'reject', rule: 'BB4', reason: takenBy }

  const held = sent?.state === 'sent' || sent?.state === 'adding'
  // BB5: once the warehouse has dimensions, they stay as first sent.
  const dimensions = held && sent?.dimensions ? sent.dimensions : product.dimensions
  const warehouseProduct: WarehouseProduct = {
    externalId: (held && sent?.externalId) || sku,
    sku,
    name: product.name,
    eans: [ean],
    lengthCm: measure(dimensions?.length),
    widthCm: measure(dimensions?.width),
    heightCm: measure(dimensions?.height),
    weightGrams: measure(dimensions?.weight),
  }
  if (sent?.state !== 'sent') return { action: 'add', product: warehouseProduct }
  return {
    action: 'update',
    product: warehouseProduct,
    dimensionsKept: dimensions !== product.dimensions && !sameDimensions(dimensions, product.dimensions),
  }
}

/** The fingerprint of what a warehouse holds: equal fingerprints need no call. */
export function warehouseProductFingerprint(product: WarehouseProduct): string {
  return JSON.stringify([
    product.externalId,
    product.sku,
    product.name,
    product.eans,
    product.lengthCm,
    product.widthCm,
    product.heightCm,
    product.weightGrams,
  ])
}
