/**
 * PM2 / PM5: the poll reads the orders in the open status, then those in the cancelled status,
 * through `/rest/orders/search` with addresses and variations until plenty says `isLastPage`.
 * Pages are keyed by order id (`orderId=gt:…`), not page numbers: handing an order over moves
 * it out of the open status, which would shift every later page. A backfill is the same sweep.
 * Then the item variations (`/rest/items/variations` with barcodes and bundle components), all
 * of them on backfill, those updated since the last poll otherwise: the products a warehouse
 * destination needs (WM4).
 */
import type { ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { plentyRequest } from './client'
import { plentyOrderToCanonical, plentyVariationToProduct } from './mapper'
import {
  type PlentyCredentials,
  plentyOrderSchema,
  plentyPageSchema,
  type PlentySettings,
  plentyVariationSchema,
} from './schemas'

export const PLENTY_PAGE_SIZE = 50

type Sweep = 'open' | 'cancelled' | 'variations'
type PageToken = { sweep: Sweep; afterId: number; page?: number }
/** Variations re-read before the last poll, for clock skew and writes in flight. */
const VARIATION_LOOKBACK_SECONDS = 10 * 60

export async function fetchPlentyPage(
  context: ConnectorContext<PlentyCredentials, PlentySettings>,
  request: PageRequest
): Promise<PageResult> {
  const token: PageToken = request.pageToken ? JSON.parse(request.pageToken) : { sweep: 'open', afterId: 0 }
  if (token.sweep === 'variations') return variationPage(context, request, token.page ?? 1)
  const statusId = token.sweep === 'open' ? context.settings.openStatus : context.settings.cancelledStatus
  const response = await plentyRequest(context, '/rest/orders/search', {
    query: {
      statusId,
      plentyId: context.credentials.plentyId,
      'with[]': ['addresses', 'orderItems.variation'],
      orderId: `gt:${token.afterId}`,
      itemsPerPage: PLENTY_PAGE_SIZE,
      sortBy: 'orderId',
      sortOrder: 'asc',
    },
  })
  const page = plentyPageSchema.parse(response.json())
  const records: ImportRecord[] = page.entries.map((entry) => {
    const parsed = plentyOrderSchema.safeParse(entry)
    if (!parsed.success) return unreadableRecord('order', null, parsed.error)
    return { kind: 'order', order: plentyOrderToCanonical(parsed.data, context.settings.cancelledStatus) }
  })
  const lastId = Math.max(token.afterId, ...page.entries.map((entry) => Number((entry as { id?: unknown }).id) || 0))
  const next: PageToken =
    !page.isLastPage && lastId > token.afterId
      ? { ...token, afterId: lastId }
      : token.sweep === 'open'
        ? { sweep: 'cancelled', afterId: 0 }
        : { sweep: 'variations', afterId: 0, page: 1 }
  return { records, nextPageToken: JSON.stringify(next), highWater: context.now().toISOString() }
}

async function variationPage(
  context: ConnectorContext<PlentyCredentials, PlentySettings>,
  request: PageRequest,
  page: number
): Promise<PageResult> {
  const since =
    request.mode === 'poll' && request.since
      ? Math.floor(Date.parse(request.since) / 1000) - VARIATION_LOOKBACK_SECONDS
      : null
  const response = await plentyRequest(context, '/rest/items/variations', {
    query: {
      with: 'variationBarcodes,variationBundleComponents',
      itemsPerPage: PLENTY_PAGE_SIZE,
      page,
      ...(since !== null && Number.isFinite(since) ? { updatedBetween: since } : {}),
    },
  })
  const result = plentyPageSchema.parse(response.json())
  const records: ImportRecord[] = result.entries.map((entry) => {
    const parsed = plentyVariationSchema.safeParse(entry)
    if (!parsed.success) return unreadableRecord('product', null, parsed.error)
    return { kind: 'product', product: plentyVariationToProduct(parsed.data) }
  })
  const next = result.isLastPage ? null : JSON.stringify({ sweep: 'variations', afterId: 0, page: page + 1 })
  return { records, nextPageToken: next, highWater: context.now().toISOString() }
}
