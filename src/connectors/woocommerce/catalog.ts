/**
 * The catalogue facts an order import needs from WooCommerce: the category tree (cached per
 * isolate for a few minutes, it rarely changes) and the categories of the ordered products,
 * which order line items do not carry.
 */
import type { ConnectorContext } from '../types'
import { type CategoryTree, categoryTree, chooseWooCategory } from './categories'
import { fetchWooPage } from './client'
import { type WooCategory, type WooCredentials, wooCategorySchema, type WooSettings, wooProductSchema } from './schemas'

const TREE_TTL_MS = 5 * 60_000
const trees = new Map<string, { tree: CategoryTree; until: number }>()

export async function loadCategoryTree(context: ConnectorContext<WooCredentials, WooSettings>): Promise<CategoryTree> {
  const cached = trees.get(context.connection.id)
  if (cached && cached.until > Date.now()) return cached.tree
  const categories: WooCategory[] = []
  for (let page = 1, pages = 1; page <= pages; page++) {
    const result = await fetchWooPage(context.http, context.credentials, 'products/categories', { page })
    pages = result.totalPages
    for (const item of result.items) {
      const parsed = wooCategorySchema.safeParse(item)
      if (parsed.success) categories.push(parsed.data)
    }
  }
  const tree = categoryTree(categories)
  trees.set(context.connection.id, { tree, until: Date.now() + TREE_TTL_MS })
  return tree
}

/** The chosen category (WC6–WC8) of each product id ordered. */
export async function categoriesOfProducts(
  context: ConnectorContext<WooCredentials, WooSettings>,
  productIds: string[]
): Promise<Map<string, { externalId: string; name: string }>> {
  const chosen = new Map<string, { externalId: string; name: string }>()
  const unique = [...new Set(productIds)]
  if (!unique.length) return chosen
  const tree = await loadCategoryTree(context)
  for (let start = 0; start < unique.length; start += 100) {
    const { items } = await fetchWooPage(context.http, context.credentials, 'products', {
      include: unique.slice(start, start + 100).join(','),
    })
    for (const item of items) {
      const product = wooProductSchema.safeParse(item)
      if (!product.success) continue
      const category = chooseWooCategory(product.data.categories, tree)
      if (category) chosen.set(product.data.id, { externalId: category.id, name: category.name })
    }
  }
  return chosen
}
