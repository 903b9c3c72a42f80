/**
 * A variable product's variations are its articles (WM4): they are read page by page from
 * `GET /products/{id}/variations` (100 each, `X-WP-TotalPages`), the variable product itself is
 * not imported as a product. A product webhook may carry a variable product (its variations are
 * read), or a variation itself (WooCommerce fires `product.*` for variations too; its variable
 * product is read for the name and category).
 */
import type { ImportRecord } from '../../core/model'
import type { ConnectorContext } from '../types'
import { unreadableRecord } from '../unreadable'
import { loadCategoryTree } from './catalog'
import { fetchWooPage, fetchWooProduct } from './client'
import { wooProductToCanonical, wooVariationParent, type WooVariationParent, wooVariationToCanonical } from './mapper'
import { type WooCredentials, type WooProduct, wooProductSchema, type WooSettings, wooVariationSchema } from './schemas'

type Context = ConnectorContext<WooCredentials, WooSettings>

export const isVariable = (product: Pick<WooProduct, 'type'>) => product.type === 'variable'

/** One page of a variable product's variations as product records. */
export async function variationPage(context: Context, parent: WooVariationParent, page: number) {
  const { items, totalPages } = await fetchWooPage(
    context.http,
    context.credentials,
    `products/${encodeURIComponent(parent.id)}/variations`,
    { orderby: 'id', order: 'asc', page }
  )
  const records: ImportRecord[] = items.map((item) => {
    const parsed = wooVariationSchema.safeParse(item)
    if (!parsed.success) return unreadableRecord('product', null, parsed.error)
    return { kind: 'product', product: wooVariationToCanonical(parsed.data, parent, context.settings) }
  })
  return { records, totalPages }
}

/** The records of a product a webhook delivered: itself, its variations, or the variation it is. */
export async function wooProductRecords(context: Context, product: WooProduct): Promise<ImportRecord[]> {
  const tree = await loadCategoryTree(context)
  if (isVariable(product)) {
    const parent = wooVariationParent(product, tree)
    const records: ImportRecord[] = []
    for (let page = 1, pages = 1; page <= pages; page++) {
      const result = await variationPage(context, parent, page)
      pages = result.totalPages
      records.push(...result.records)
    }
    return records
  }
  if (product.type === 'variation' && product.parent_id && product.parent_id !== '0') {
    const raw = await fetchWooProduct(context.http, context.credentials, product.parent_id)
    const parsed = raw === null ? null : wooProductSchema.safeParse(raw)
    if (!parsed?.success)
      return [
        {
          kind: 'decision',
          about: 'product',
          externalId: product.id,
          result: 'skipped',
          reason: `the variation's product ${product.parent_id} ${parsed ? 'is unreadable' : 'no longer exists'}`,
        },
      ]
    const variation = wooVariationSchema.parse(product)
    return [
      {
        kind: 'product',
        product: wooVariationToCanonical(variation, wooVariationParent(parsed.data, tree), context.settings),
      },
    ]
  }
  return [{ kind: 'product', product: wooProductToCanonical(product, tree, context.settings) }]
}
