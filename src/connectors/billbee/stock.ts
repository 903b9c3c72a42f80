/**
 * ST3 for Billbee: `POST /api/v1/products/updatestockmultiple`, one array of
 * `UpdateStockApiModel` per call, each with `StockId` = `storageLocationId` (the stock of the
 * shop connection under multi-stock; 0 = the standard stock) and the absolute `NewQuantity`.
 * Billbee lowers its stock when an order comes in, so the sellable quantity is written as it is,
 * without `AutosubtractReservedAmount`, and without `ForceSendStockToShops` (Kontor already
 * writes only changed figures). The answer is an array of ApiResult envelopes, one per article;
 * one with an error (an unknown SKU) is that article's skip, with Billbee's message.
 */
import { z } from 'zod'
import { RetryableError } from '../../core/errors'
import type { ConnectorContext, StockChannel, StockWriteOutcome } from '../types'
import { billbeeCall } from './client'
import type { BillbeeCredentials, BillbeeSettings } from './schemas'

type Context = ConnectorContext<BillbeeCredentials, BillbeeSettings>

/** Billbee documents no maximum per call; 100 keeps a call's body and work modest. */
export const BILLBEE_STOCK_BATCH = 100

const resultSchema = z
  .object({
    ErrorMessage: z.string().nullish(),
    ErrorCode: z.coerce.number().nullish(),
    Data: z.object({ SKU: z.string().nullish(), Message: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough()

const productSchema = z
  .object({
    Data: z
      .object({
        StockCurrent: z.coerce.number().nullish(),
        Stocks: z
          .array(
            z.object({ StockId: z.coerce.number().nullish(), StockCurrent: z.coerce.number().nullish() }).passthrough()
          )
          .nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough()

export const billbeeStock: StockChannel<BillbeeCredentials, BillbeeSettings> = {
  batchSize: BILLBEE_STOCK_BATCH,
  options: (settings) => ({ sync: settings.stockSync, buffer: settings.stockBuffer }),

  async write(context: Context, items) {
    const models = items.map((item) => ({
      Sku: item.sku,
      ...(context.settings.storageLocationId ? { StockId: context.settings.storageLocationId } : {}),
      NewQuantity: item.quantity,
      Reason: 'Kontor: Wemalo stock',
      AutosubtractReservedAmount: false,
      ForceSendStockToShops: false,
    }))
    const response = await billbeeCall(context, '/products/updatestockmultiple', { method: 'POST', json: models })
    const parsed = z.array(resultSchema).safeParse(response.json())
    if (!parsed.success || parsed.data.length !== items.length)
      throw new RetryableError(
        `Billbee updatestockmultiple answered ${parsed.success ? parsed.data.length : 'no'} results for ${items.length} articles`
      )
    return items.map((item, index): StockWriteOutcome => {
      const result = parsed.data[index]
      return result.ErrorCode || result.ErrorMessage
        ? { sku: item.sku, result: 'skipped', reason: `Billbee: ${result.ErrorMessage ?? `error ${result.ErrorCode}`}` }
        : { sku: item.sku, result: 'written' }
    })
  },

  async read(context: Context, skus) {
    const figures = new Map<string, number>()
    for (const sku of skus) {
      const response = await billbeeCall(context, `/products/${encodeURIComponent(sku)}`, {
        query: { lookupBy: 'sku' },
        accept: [400, 404],
      })
      if (response.status >= 400 || !response.text) continue
      const product = productSchema.parse(response.json()).Data
      if (!product) continue
      const stockId = context.settings.storageLocationId
      const quantity = stockId
        ? product.Stocks?.find((stock) => stock.StockId === stockId)?.StockCurrent
        : product.StockCurrent
      if (typeof quantity === 'number') figures.set(sku, quantity)
    }
    return figures
  },
}
