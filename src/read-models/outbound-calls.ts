/**
 * Outbound calls as the API and the order page read them: every call Kontor made to a platform,
 * a destination or a hub endpoint, with its result. The step key (the claim's internals) stays inside.
 */
import { and, asc, desc, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { handovers, outboundCalls } from '../db/schema'

export type OutboundCallFilters = { orderId?: string; connectionId?: string; result?: string; cursor?: string }

export async function listOutboundCalls(db: Database, tenantId: string, filters: OutboundCallFilters, limit: number) {
  const rows = await db
    .select()
    .from(outboundCalls)
    .where(
      and(
        eq(outboundCalls.tenantId, tenantId),
        filters.orderId ? eq(outboundCalls.orderId, filters.orderId) : undefined,
        filters.connectionId ? eq(outboundCalls.connectionId, filters.connectionId) : undefined,
        filters.result ? eq(outboundCalls.result, filters.result) : undefined,
        afterCursor(filters.cursor, outboundCalls.at, outboundCalls.id)
      )
    )
    .orderBy(desc(outboundCalls.at), desc(outboundCalls.id))
    .limit(limit + 1)
  const { page, nextCursor } = keysetPage(rows, limit, (row) => [row.at, row.id])
  return { items: page.map(({ stepKey: _stepKey, tenantId: _tenantId, ...call }) => call), nextCursor }
}

/** What left the hub for one order: its outbound calls and its hand-overs, oldest first, one round trip. */
export async function orderActivity(db: Database, tenantId: string, orderId: string) {
  const [calls, handoverRows] = await db.batch([
    db
      .select()
      .from(outboundCalls)
      .where(and(eq(outboundCalls.orderId, orderId), eq(outboundCalls.tenantId, tenantId)))
      .orderBy(asc(outboundCalls.at), asc(outboundCalls.id)),
    db
      .select()
      .from(handovers)
      .where(and(eq(handovers.orderId, orderId), eq(handovers.tenantId, tenantId)))
      .orderBy(asc(handovers.createdAt)),
  ])
  return { calls, handovers: handoverRows }
}
