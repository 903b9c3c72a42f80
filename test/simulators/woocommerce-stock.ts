/**
 * A WooCommerce site's stock writes, as the REST v3 batch controllers take them:
 * `POST /products/batch` and `POST /products/{id}/variations/batch` with `{create, update,
 * delete}`; more than 100 items in all is 413 `woocommerce_rest_request_entity_too_large`
 * (`WC_REST_Controller::check_batch_limit`); a failing item answers inside the 200 body with its
 * `error`. A variation id on the products endpoint is refused as WooCommerce refuses it.
 * `stock_quantity` is only kept with `manage_stock` on; `stock_status` follows it.
 */
import type { Hono } from 'hono'

type Json = Record<string, any>
type StockSite = { products: Map<string, Json> }

export const WOO_BATCH_LIMIT = 100

function wooError(code: string, message: string, status: number) {
  return Response.json({ code, message, data: { status } }, { status })
}

function itemError(id: unknown, code: string, message: string) {
  return { id: Number(id) || 0, error: { code, message, data: { status: 400 } } }
}

function applyStock(product: Json, change: Json) {
  if (change.manage_stock !== undefined) product.manage_stock = change.manage_stock
  if (change.stock_quantity !== undefined) {
    if (product.manage_stock) product.stock_quantity = Number(change.stock_quantity)
  }
  if (product.manage_stock) product.stock_status = product.stock_quantity > 0 ? 'instock' : 'outofstock'
  product.date_modified_gmt = new Date().toISOString().slice(0, 19)
  return product
}

export function wooStockRoutes(app: Hono, api: string, siteOf: (host: string) => StockSite) {
  const batch = (parent: string | null) => async (c: any) => {
    const site = siteOf(new URL(c.req.url).host)
    const body = (await c.req.json()) as Json
    const size = ['create', 'update', 'delete'].reduce(
      (sum, key) => sum + (Array.isArray(body[key]) ? body[key].length : 0),
      0
    )
    if (size > WOO_BATCH_LIMIT)
      return wooError(
        'woocommerce_rest_request_entity_too_large',
        `Unable to accept more than ${WOO_BATCH_LIMIT} items for this request.`,
        413
      )
    if (parent !== null && !site.products.has(c.req.param('id')))
      return wooError('woocommerce_rest_product_invalid_id', 'Invalid ID.', 404)
    const update = ((body.update ?? []) as Json[]).map((change) => {
      const product = site.products.get(String(change.id))
      const variation = product && product.parent_id && String(product.parent_id) !== '0'
      if (!product) return itemError(change.id, 'woocommerce_rest_product_invalid_id', 'Invalid ID.')
      if (parent === null && variation)
        return itemError(
          change.id,
          'woocommerce_rest_invalid_product_id',
          'To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.'
        )
      if (parent !== null && String(product.parent_id) !== c.req.param('id'))
        return itemError(change.id, 'woocommerce_rest_product_variation_invalid_id', 'Invalid ID.')
      return applyStock(product, change)
    })
    return c.json({ ...(body.create ? { create: [] } : {}), update, ...(body.delete ? { delete: [] } : {}) })
  }
  app.post(`${api}/products/batch`, batch(null))
  app.post(`${api}/products/:id/variations/batch`, batch('variation'))
}
