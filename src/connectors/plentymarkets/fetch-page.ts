/**
 * PM2 / PM5: the poll reads the orders in the open status, then those in the cancelled status,
 * through `/rest/orders/search` with addresses and variations until plenty says `isLastPage`.
 * Pages are keyed by order id (`orderId=gt:…`), not page numbers: handing an order over moves
 * it out of the open status, which would shift every later page. A backfill is the same sweep.
 */
import type { ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { plentyRequest } from './client'
import { plentyOrderToCanonical } from './mapper'
import { type PlentyCredentials, plentyOrderSchema, plentyPageSchema, type PlentySettings } from './schemas'

export const PLENTY_PAGE_SIZE = 50

type Sweep = 'open' | 'cancelled'
type PageToken = { sweep: Sweep; afterId: number }

export async function fetchPlentyPage(
  context: ConnectorContext<PlentyCredentials, PlentySettings>,
  request: PageRequest
): Promise<PageResult> {
  const token: PageToken = request.pageToken ? JSON.parse(request.pageToken) : { sweep: 'open', afterId: 0 }
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
  let next: PageToken | null = null
  if (!page.isLastPage && lastId > token.afterId) next = { ...token, afterId: lastId }
  else if (token.sweep === 'open') next = { sweep: 'cancelled', afterId: 0 }
  return { records, nextPageToken: next ? JSON.stringify(next) : null, highWater: context.now().toISOString() }
}
