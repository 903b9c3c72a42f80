/** P1, P3, P4, P5: the catalogue rows an imported product becomes, with ids derived from its match key. */
import { derivedId } from '../core/ids'
import type { IncomingProduct } from '../core/model'
import { nowIso } from '../db/client'
import type { products } from '../db/schema'
import { categoryKey, type ProductMatch, productMatchKey } from './match-keys'

export type ProductRow = typeof products.$inferInsert

export async function productRows(
  scope: { tenantId: string; connectionId: string; productMatch: ProductMatch },
  product: IncomingProduct
) {
  const id = await derivedId('prd', scope.tenantId, productMatchKey(product, scope.productMatch, scope.connectionId))
  const categoryName = product.category?.name ? categoryKey(product.category.name) : null
  const categoryId = categoryName ? await derivedId('cat', scope.tenantId, categoryName) : null
  const row: ProductRow = {
    id,
    tenantId: scope.tenantId,
    name: product.name,
    description: product.description,
    sku: product.sku,
    ean: product.ean,
    code: product.code,
    unit: 'piece',
    categoryId,
    dimensions: product.dimensions,
    type: product.type,
    components: product.components,
    updatedAt: nowIso(),
  }
  const category = categoryName && categoryId ? { id: categoryId, tenantId: scope.tenantId, name: categoryName } : null
  return { row, category }
}
