/**
 * ST3 for plentymarkets: a stock correction (`PUT /rest/stockmanagement/warehouses/{warehouseId}
 * /stock/correction`, reason 301) on the connection's `warehouseId` / `storageLocationId`.
 * plentymarkets keeps its open orders as `reservedStock` apart from `physicalStock` (netStock =
 * physical − reserved), so the physical stock is set to the sellable quantity plus plenty's
 * reserved stock there, and plenty's net stock shows the sellable quantity. Whether the
 * correction is absolute is not stated by the OpenAPI description; it is read as setting the
 * storage location's quantity (as wemalo-connect and generated clients use it). SKU → variation
 * by `GET /rest/items/variations?numberExact=` (one per SKU, no list form); a SKU plenty does
 * not know is a skip.
 */
import { z } from 'zod'
import type { ConnectorContext, StockChannel, StockWriteOutcome } from '../types'
import { plentyRequest } from './client'
import type { PlentyCredentials, PlentySettings } from './schemas'

type Context = ConnectorContext<PlentyCredentials, PlentySettings>

export const PLENTY_STOCK_BATCH = 100
const STOCK_CORRECTION = 301

const num = z.union([z.number(), z.string()]).transform(Number)
const variationsSchema = z.object({
  entries: z.array(z.object({ id: num, number: z.string().nullish() }).passthrough()),
})
const stockSchema = z.object({
  entries: z.array(
    z
      .object({ variationId: num, physicalStock: num.nullish(), reservedStock: num.nullish(), netStock: num.nullish() })
      .passthrough()
  ),
})

async function variationOf(context: Context, sku: string) {
  const response = await plentyRequest(context, '/rest/items/variations', { query: { numberExact: sku } })
  return variationsSchema.parse(response.json()).entries.find((entry) => entry.number === sku) ?? null
}

async function stockOf(context: Context, variationId: number) {
  const response = await plentyRequest(
    context,
    `/rest/stockmanagement/warehouses/${context.credentials.warehouseId}/stock`,
    {
      query: { variationId },
    }
  )
  return stockSchema.parse(response.json()).entries.find((entry) => entry.variationId === variationId) ?? null
}

export const plentyStock: StockChannel<PlentyCredentials, PlentySettings> = {
  batchSize: PLENTY_STOCK_BATCH,
  options: (settings) => ({ sync: settings.stockSync, buffer: settings.stockBuffer }),

  async write(context: Context, items) {
    const outcomes: StockWriteOutcome[] = []
    const corrections: { variationId: number; storageLocationId: number; quantity: number; reasonId: number }[] = []
    for (const item of items) {
      const variation = await variationOf(context, item.sku)
      if (!variation) {
        outcomes.push({ sku: item.sku, result: 'skipped', reason: 'plentymarkets has no variation with this number' })
        continue
      }
      const reserved = (await stockOf(context, variation.id))?.reservedStock ?? 0
      corrections.push({
        variationId: variation.id,
        storageLocationId: context.credentials.storageLocationId,
        quantity: item.quantity + reserved,
        reasonId: STOCK_CORRECTION,
      })
      outcomes.push({ sku: item.sku, result: 'written' })
    }
    if (corrections.length)
      await plentyRequest(
        context,
        `/rest/stockmanagement/warehouses/${context.credentials.warehouseId}/stock/correction`,
        {
          method: 'PUT',
          json: { corrections },
        }
      )
    return outcomes
  },

  async read(context: Context, skus) {
    const figures = new Map<string, number>()
    for (const sku of skus) {
      const variation = await variationOf(context, sku)
      const stock = variation && (await stockOf(context, variation.id))
      if (stock && typeof stock.netStock === 'number') figures.set(sku, stock.netStock)
    }
    return figures
  },
}
