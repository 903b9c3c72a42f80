/**
 * Backfill (SH1) and reconciliation polls through the REST orders list. `status=any` or Shopify
 * leaves out closed and cancelled orders; the backfill reaches back two months, clamped to the
 * 60 days Shopify serves without `read_all_orders`, and says so in the import log.
 */
import type { ImportNote, ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { fetchOrdersPage, type OrdersPageQuery } from './client'
import { shopifyBackfillExclusion, shopifyOrderToCanonical } from './mapper'
import { type ShopifyCredentials, type ShopifySettings, shopifyOrderSchema } from './schemas'

/** Polls re-read this much before the last high-water mark, so clock skew loses nothing. */
export const POLL_LOOKBACK_MS = 5 * 60_000
const SHOPIFY_HISTORY_DAYS = 60

export function backfillWindow(now: Date): { from: Date; clamped: boolean; wanted: Date } {
  const wanted = new Date(now)
  wanted.setUTCMonth(wanted.getUTCMonth() - 2)
  const limit = new Date(now.getTime() - SHOPIFY_HISTORY_DAYS * 86_400_000)
  return wanted < limit ? { from: limit, clamped: true, wanted } : { from: wanted, clamped: false, wanted }
}

export async function fetchShopifyPage(
  context: ConnectorContext<ShopifyCredentials, ShopifySettings>,
  request: PageRequest
): Promise<PageResult> {
  const notes: ImportNote[] = []
  let query: OrdersPageQuery
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
    const since = request.since
      ? new Date(Date.parse(request.since) - POLL_LOOKBACK_MS)
      : new Date(context.now().getTime() - POLL_LOOKBACK_MS)
    query = { filters: { status: 'any', updated_at_min: since.toISOString() } }
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
  return { records, nextPageToken: page.nextPageInfo, highWater, notes }
}
