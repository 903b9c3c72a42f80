/**
 * ST3 for WooCommerce: `stock_quantity` with `manage_stock: true`, in batches of at most 100
 * (WooCommerce refuses more with 413 `woocommerce_rest_request_entity_too_large`). SKUs are
 * found with `GET /products?sku=a,b,…`, which searches products and variations alike; simple
 * products go to `POST /products/batch`, variations to `POST /products/{parent}/variations/batch`
 * (the products endpoints refuse a variation id). WooCommerce lowers stock itself when an order
 * is paid, with no reserved part, so the sellable quantity is written as it is. A per-item error
 * inside the 200 answer is that SKU's skip, with WooCommerce's message.
 */
import { z } from 'zod'
import type { ConnectorContext, StockChannel, StockWriteOutcome } from '../types'
import { wooHeaders } from './client'
import type { WooCredentials, WooSettings } from './schemas'

type Context = ConnectorContext<WooCredentials, WooSettings>

const API = '/wp-json/wc/v3'
export const WOO_BATCH_LIMIT = 100

const id = z.union([z.string(), z.number()]).transform(String)
const stockItemSchema = z
  .object({
    id,
    sku: z.string().nullish(),
    parent_id: id.nullish(),
    manage_stock: z.union([z.boolean(), z.literal('parent')]).nullish(),
    stock_quantity: z.coerce.number().nullish(),
  })
  .passthrough()
type StockItem = z.infer<typeof stockItemSchema>

const batchAnswerSchema = z
  .object({
    update: z
      .array(
        z
          .object({
            id: id.nullish(),
            error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
          })
          .passthrough()
      )
      .default([]),
  })
  .passthrough()

/** Products and variations of these SKUs, by SKU (one call for up to 100 SKUs). */
async function findBySku(context: Context, skus: string[]): Promise<Map<string, StockItem>> {
  const response = await context.http.request(`${API}/products`, {
    query: { sku: skus.join(','), per_page: WOO_BATCH_LIMIT },
    headers: wooHeaders(context.credentials),
  })
  const items = z.array(stockItemSchema).parse(response.json())
  return new Map(items.filter((item) => item.sku).map((item) => [item.sku!, item]))
}

export const wooStock: StockChannel<WooCredentials, WooSettings> = {
  batchSize: WOO_BATCH_LIMIT,
  options: (settings) => ({ sync: settings.stockSync, buffer: settings.stockBuffer }),

  async write(context: Context, items) {
    const found = await findBySku(
      context,
      items.map((item) => item.sku)
    )
    const outcomes = new Map<string, StockWriteOutcome>()
    const groups = new Map<string, { sku: string; id: string; stock_quantity: number }[]>()
    for (const item of items) {
      const product = found.get(item.sku)
      if (!product) {
        outcomes.set(item.sku, {
          sku: item.sku,
          result: 'skipped',
          reason: 'WooCommerce has no product or variation with this SKU',
        })
        continue
      }
      const parent = product.parent_id && product.parent_id !== '0' ? product.parent_id : ''
      groups.set(parent, [
        ...(groups.get(parent) ?? []),
        { sku: item.sku, id: product.id, stock_quantity: item.quantity },
      ])
    }
    for (const [parent, group] of groups) {
      const path = parent ? `${API}/products/${parent}/variations/batch` : `${API}/products/batch`
      const response = await context.http.request(path, {
        method: 'POST',
        json: {
          update: group.map((entry) => ({
            id: Number(entry.id),
            manage_stock: true,
            stock_quantity: entry.stock_quantity,
          })),
        },
        headers: wooHeaders(context.credentials),
      })
      const answer = batchAnswerSchema.parse(response.json())
      group.forEach((entry, index) => {
        const error = answer.update[index]?.error
        outcomes.set(
          entry.sku,
          error
            ? { sku: entry.sku, result: 'skipped', reason: `WooCommerce: ${error.message ?? error.code ?? 'refused'}` }
            : { sku: entry.sku, result: 'written' }
        )
      })
    }
    return items.map((item) => outcomes.get(item.sku)!)
  },

  async read(context: Context, skus) {
    const found = await findBySku(context, skus)
    const figures = new Map<string, number>()
    for (const [sku, item] of found) if (typeof item.stock_quantity === 'number') figures.set(sku, item.stock_quantity)
    return figures
  },
}
