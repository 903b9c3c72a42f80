/**
 * ST1: Wemalo as the stock master. `GET /product/availableStock/?fromDate=` lists the articles
 * whose stock changed since an hour (`ddMMyyyyHH`); `GET /product/stock/reduced/:externalId`
 * gives one article's figures with the reserved part, per attribute. Only the default attribute
 * ("1. Wahl") is sellable. Articles are addressed by `externalId`, which is the SKU (WM4).
 * `stock_change` callbacks (goods receipts and returns booked) start a run at once.
 *
 * availableStock carries no time of the change, and its per-attribute `quantity` is not said to
 * exclude reservations, so it is not the sellable figure: each listed SKU still needs its
 * `stock/reduced` read. To not read the same unchanged SKU on every run of the hours the list
 * keeps naming it, a second list from the current hour tells which SKUs may have changed since
 * that hour began; the others are vouched unchanged since then (`unchangedSince`), and the run
 * skips those it read after that. A SKU changed in the current hour is read on every run.
 */
import type { ChangedSku, ConnectorContext, StockFigures, StockMaster } from '../types'
import { wemaloRequest } from './client'
import {
  wemaloAvailableStockSchema,
  type WemaloCredentials,
  type WemaloReducedStock,
  wemaloReducedStockSchema,
  type WemaloSettings,
} from './schemas'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

/**
 * `fromDate` is hour-granular and its time zone is not documented (Wemalo runs in Germany):
 * reading from three hours before the last run covers UTC+2 and the hour cut.
 */
const OVERLAP_HOURS = 3
/** The nightly run's `fromDate`: every article that ever had stock. */
export const EVERYTHING = '0101200000'
/**
 * Wemalo's clock and ours may differ a little: a change Wemalo books in its previous hour may be
 * this long after our hour began.
 */
export const CLOCK_MARGIN_MS = 2 * 60_000

export function wemaloHour(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${pad(date.getUTCDate())}${pad(date.getUTCMonth() + 1)}${date.getUTCFullYear()}${pad(date.getUTCHours())}`
}

/** The default attribute's figures; without details (never asked for), the whole article's. */
export function wemaloStockToFigures(sku: string, stock: WemaloReducedStock): StockFigures {
  const defaults = stock.details.filter((detail) => detail.isDefault)
  if (stock.details.length) {
    const physical = defaults.reduce((sum, detail) => sum + detail.quantity, 0)
    const reserved = defaults.reduce((sum, detail) => sum + detail.reserved, 0)
    return { sku, physical, reserved, notReserved: Math.max(0, physical - reserved) }
  }
  const reserved =
    stock.quantityReserved ?? (stock.notReservedQuantity === null ? 0 : stock.quantity - stock.notReservedQuantity)
  return { sku, physical: stock.quantity, reserved, notReserved: Math.max(0, stock.quantity - reserved) }
}

/** The SKUs availableStock lists as changed since `fromDate`. */
async function listedSkus(context: Context, fromDate: string): Promise<string[]> {
  const response = await wemaloRequest(context, `/product/availableStock/?fromDate=${fromDate}`)
  const { articles } = wemaloAvailableStockSchema.parse(response.json())
  const skus = articles.map((article) => article.externalId ?? article.sku).filter((sku): sku is string => !!sku)
  return [...new Set(skus)]
}

export const wemaloStockMaster: StockMaster<WemaloCredentials, WemaloSettings> = {
  changeTopics: ['stock_change'],
  intervalMinutes: (settings) => settings.stockMinutes,

  async changedSkus(context: Context, since: Date | null, now: Date): Promise<ChangedSku[]> {
    if (!since) return (await listedSkus(context, EVERYTHING)).map((sku) => ({ sku, unchangedSince: null }))
    const listed = await listedSkus(context, wemaloHour(new Date(since.getTime() - OVERLAP_HOURS * 3_600_000)))
    // The hour is read as UTC. Should Wemalo read it in its own zone (UTC+1 or +2), this hour
    // begins earlier and lists more, never less: what it leaves out did not change since the
    // UTC hour began.
    const hourStart = Math.floor(now.getTime() / 3_600_000) * 3_600_000
    const recent = new Set(await listedSkus(context, wemaloHour(new Date(hourStart))))
    const unchangedSince = new Date(hourStart + CLOCK_MARGIN_MS).toISOString()
    return listed.map((sku) => ({ sku, unchangedSince: recent.has(sku) ? null : unchangedSince }))
  },

  async figures(context: Context, sku: string) {
    const response = await wemaloRequest(
      context,
      `/product/stock/reduced/${encodeURIComponent(sku)}?hideDetails=false`,
      { accept: [400, 404] }
    )
    // 400 `externalId`: "Product external identifier not found".
    if (response.status === 400 || response.status === 404) return null
    return wemaloStockToFigures(sku, wemaloReducedStockSchema.parse(response.json()))
  },
}
