/**
 * CA1 backfill and the status-syncing poll. Cartum filters only by creation date (`from`/`to`)
 * and pages by `limit`/`offset`. The backfill reads two months and leaves out delivered orders;
 * the poll re-reads the last `pollDays` of orders, since a status change leaves no other trace.
 */
import type { ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { callCartum } from './client'
import { cartumOrderToCanonical } from './mapper'
import { type CartumCredentials, cartumOrderSchema, type CartumSettings } from './schemas'

export const CARTUM_PAGE_SIZE = 100

type PageToken = { offset: number; from: string; to: string }

/** `YYYY-MM-DD HH:mm:ss`, the form Cartum takes since API 3.30. */
const cartumTime = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ')

export async function fetchCartumPage(
  context: ConnectorContext<CartumCredentials, CartumSettings>,
  request: PageRequest
): Promise<PageResult> {
  const now = context.now()
  let token: PageToken
  if (request.pageToken) {
    token = JSON.parse(request.pageToken)
  } else {
    const from = new Date(now)
    if (request.mode === 'backfill') from.setUTCMonth(from.getUTCMonth() - 2)
    else from.setUTCDate(from.getUTCDate() - context.settings.pollDays)
    token = { offset: 0, from: cartumTime(from), to: cartumTime(now) }
  }
  const { response } = await callCartum<{ orders?: unknown[] } | undefined>(context, 'orders/get', {
    from: token.from,
    to: token.to,
    limit: CARTUM_PAGE_SIZE,
    offset: token.offset,
  })
  const orders = response?.orders ?? []
  const records: ImportRecord[] = orders.map((raw) => {
    const parsed = cartumOrderSchema.safeParse(raw)
    if (!parsed.success) return unreadableRecord('order', null, parsed.error)
    if (request.mode === 'backfill' && parsed.data.stat_status === context.settings.deliveredStatus) {
      return {
        kind: 'decision',
        about: 'order',
        externalId: parsed.data.order_id,
        result: 'skipped',
        rule: 'CA1',
        reason: 'delivered orders are not part of the initial import',
      }
    }
    return { kind: 'order', order: cartumOrderToCanonical(parsed.data, context.settings, now.toISOString()) }
  })
  const nextPageToken =
    orders.length === CARTUM_PAGE_SIZE ? JSON.stringify({ ...token, offset: token.offset + CARTUM_PAGE_SIZE }) : null
  return { records, nextPageToken, highWater: now.toISOString() }
}
