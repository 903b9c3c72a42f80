/**
 * Shopify REST product → canonical products. Pure. Every variant is an article of its own (WM4):
 * variant id → externalId (as order lines name it), SKU → sku, barcode → ean, product id → code
 * (SH4), "title - variant title" as Shopify names its order lines, and the weight from the
 * variant's unit into grams. Shopify keeps no dimensions on a variant.
 */
import type { ImportRecord, IncomingProduct } from '../../core/model'
import type { ShopifyProduct } from './schemas'

/** Shopify's name for the only variant of a product without options. */
const DEFAULT_VARIANT_TITLE = 'Default Title'
/** REST serves no more variants of one product (shopify.dev, "new product model"). */
export const SHOPIFY_REST_VARIANT_LIMIT = 100
const GRAMS_PER = new Map([
  ['g', 1],
  ['kg', 1000],
  ['oz', 28.349523125],
  ['lb', 453.59237],
])

const blank = (value: string | null | undefined) => (value?.trim() ? value.trim() : null)

type ShopifyVariant = ShopifyProduct['variants'][number]

/** The variant's weight in grams, or null when Shopify has none (0 means not set). */
export function shopifyVariantGrams(variant: Pick<ShopifyVariant, 'weight' | 'weight_unit' | 'grams'>): number | null {
  const weight = Number(variant.weight ?? Number.NaN)
  const factor = GRAMS_PER.get((variant.weight_unit ?? '').toLowerCase())
  if (Number.isFinite(weight) && weight > 0 && factor) return Math.round(weight * factor * 1000) / 1000
  return variant.grams && variant.grams > 0 ? variant.grams : null
}

export function shopifyProductToCanonical(product: ShopifyProduct): IncomingProduct[] {
  return product.variants.map((variant) => {
    const variantTitle = blank(variant.title)
    const grams = shopifyVariantGrams(variant)
    return {
      externalId: variant.id,
      name:
        variantTitle && variantTitle !== DEFAULT_VARIANT_TITLE ? `${product.title} - ${variantTitle}` : product.title,
      description: null,
      sku: blank(variant.sku),
      ean: blank(variant.barcode),
      code: product.id,
      category: null,
      dimensions: grams === null ? null : { weight: String(grams), length: null, width: null, height: null },
      type: 'single',
      components: [],
    }
  })
}

/**
 * The import records of a product: one per variant, and a note when REST may have left variants
 * out (a product with more than 100 variants shows only the first 100 there).
 */
export function shopifyProductRecords(product: ShopifyProduct): ImportRecord[] {
  const records: ImportRecord[] = shopifyProductToCanonical(product).map((incoming) => ({
    kind: 'product',
    product: incoming,
  }))
  if (product.variants.length >= SHOPIFY_REST_VARIANT_LIMIT)
    records.push({
      kind: 'decision',
      about: 'product',
      externalId: product.id,
      result: 'skipped',
      reason: `Shopify's REST API serves at most ${SHOPIFY_REST_VARIANT_LIMIT} variants of a product: variants beyond them are not read`,
    })
  return records
}
