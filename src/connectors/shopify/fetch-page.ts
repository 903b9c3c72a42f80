/**
 * Backfill (SH1) and reconciliation polls through the REST orders list. `status=any` or Shopify
 * leaves out closed and cancelled orders; the backfill reaches back two months, clamped to the
 * 60 days Shopify serves without `read_all_orders`, and says so in the import log. After the
 * orders, the products: all of them on backfill, those updated since on a poll (a lost product
 * webhook, and the articles a warehouse destination needs, WM4). An orders page token is
 * Shopify's `page_info`; the product sweep's token is JSON.
 */
import type { ImportNote, ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { fetchOrdersPage, fetchProductsPage, type ListPageQuery } from './client'
import { shopifyBackfillExclusion, shopifyOrderToCanonical } from './mapper'
import { shopifyProductRecords } from './product-mapper'
import { type ShopifyCredentials, type ShopifySettings, shopifyOrderSchema, shopifyProductSchema } from './schemas'

/** Polls re-read this much before the last high-water mark, so clock skew loses nothing. */
export const POLL_LOOKBACK_MS = 5 * 60_000
const SHOPIFY_HISTORY_DAYS = 60

export function backfillWindow(now: Date): { from: Date; clamped: boolean; wanted: Date } {
  const wanted = new Date(now)
  wanted.setUTCMonth(wanted.getUTCMonth() - 2)
  const limit = new Date(now.getTime() - SHOPIFY_HISTORY_DAYS * 86_400_000)
  return wanted < limit ? { from: limit, clamped: true, wanted } : { from: wanted, clamped: false, wanted }
}

type Context = ConnectorContext<ShopifyCredentials, ShopifySettings>
/** The product sweep's place: `from` is the poll's `updated_at_min` (none on backfill). */
type ProductsToken = { sweep: 'products'; from: string | null; pageInfo?: string }

export async function fetchShopifyPage(context: Context, request: PageRequest): Promise<PageResult> {
  if (request.pageToken?.startsWith('{')) return productPage(context, JSON.parse(request.pageToken) as ProductsToken)
  const notes: ImportNote[] = []
  let query: ListPageQuery
  if (request.pageToken) {
    query = { pageInfo: request.pageToken }
  } else if (request.mode === 'backfill') {
    const window = backfillWindow(context.now())
    if (window.clamped) {
      notes.push({
        kind: 'order',
        result: 'skipped',
        rule: 'SH1',
        reason: `Shopify serves only the last ${SHOPIFY_HISTORY_DAYS} days without read_all_orders: orders from ${window.wanted.toISOString()} to ${window.from.toISOString()} are not imported`,
      })
    }
    query = { filters: { status: 'any', created_at_min: window.from.toISOString() } }
  } else {
    query = { filters: { status: 'any', updated_at_min: pollStart(context, request)! } }
  }

  const page = await fetchOrdersPage(context, query)
  const records: ImportRecord[] = []
  let highWater: string | null = null
  for (const raw of page.orders) {
    const parsed = shopifyOrderSchema.safeParse(raw)
    if (!parsed.success) {
      const externalId = raw && typeof raw === 'object' && 'id' in raw ? String(raw.id) : null
      records.push(unreadableRecord('order', externalId, parsed.error))
      continue
    }
    const order = parsed.data
    const updatedAt = order.updated_at ?? order.created_at
    if (!highWater || Date.parse(updatedAt) > Date.parse(highWater))
      highWater = new Date(Date.parse(updatedAt)).toISOString()
    const excluded = request.mode === 'backfill' ? shopifyBackfillExclusion(order) : null
    if (excluded) {
      records.push({
        kind: 'decision',
        about: 'order',
        externalId: order.id,
        result: 'skipped',
        rule: 'SH1',
        reason: `${excluded} orders are not part of the initial import`,
      })
    } else {
      records.push({ kind: 'order', order: shopifyOrderToCanonical(order) })
    }
  }
  const productsToken: ProductsToken = {
    sweep: 'products',
    from: 'filters' in query ? (query.filters.updated_at_min ?? null) : pollStart(context, request),
  }
  return { records, nextPageToken: page.nextPageInfo ?? JSON.stringify(productsToken), highWater, notes }
}

/** Where a poll starts reading: the last run's high-water mark less the lookback; null on backfill. */
function pollStart(context: Context, request: PageRequest): string | null {
  if (request.mode === 'backfill') return null
  const since = request.since ? Date.parse(request.since) : context.now().getTime()
  return new Date(since - POLL_LOOKBACK_MS).toISOString()
}

async function productPage(context: Context, token: ProductsToken): Promise<PageResult> {
  const page = await fetchProductsPage(
    context,
    token.pageInfo ? { pageInfo: token.pageInfo } : { filters: token.from ? { updated_at_min: token.from } : {} }
  )
  if (page.refused) {
    // The orders were read; only the articles are missing, and the import log says why.
    const note: ImportNote = {
      kind: 'product',
      result: 'skipped',
      rule: 'WM4',
      reason: `Shopify refused the products (${page.refused}): grant the app the read_products scope so that its articles reach the warehouse`,
    }
    return { records: [], nextPageToken: null, highWater: null, notes: [note] }
  }
  const records: ImportRecord[] = []
  let highWater: string | null = null
  for (const raw of page.products) {
    const parsed = shopifyProductSchema.safeParse(raw)
    if (!parsed.success) {
      const externalId = raw && typeof raw === 'object' && 'id' in raw ? String(raw.id) : null
      records.push(unreadableRecord('product', externalId, parsed.error))
      continue
    }
    const updatedAt = parsed.data.updated_at ? Date.parse(parsed.data.updated_at) : Number.NaN
    if (Number.isFinite(updatedAt) && (!highWater || updatedAt > Date.parse(highWater)))
      highWater = new Date(updatedAt).toISOString()
    records.push(...shopifyProductRecords(parsed.data))
  }
  const nextPageToken = page.nextPageInfo ? JSON.stringify({ ...token, pageInfo: page.nextPageInfo }) : null
  return { records, nextPageToken, highWater }
}
