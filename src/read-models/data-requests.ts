/**
 * Customers' data requests received from the platforms (src/import/privacy.ts collects them),
 * as the API reads them: summaries newest first, and one request with everything collected.
 */
import { and, desc, eq, lt, or } from 'drizzle-orm'
import { ApiError, notFound } from '../core/errors'
import type { Database } from '../db/client'
import { decodeCursor, encodeCursor } from '../db/keyset'
import { dataRequests } from '../db/schema'

export async function listDataRequests(db: Database, tenantId: string, query: { cursor?: string; limit: number }) {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null
  if (query.cursor && !cursor) throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API gave out')
  const rows = await db
    .select({
      id: dataRequests.id,
      connectionId: dataRequests.connectionId,
      externalId: dataRequests.externalId,
      customer: dataRequests.customer,
      createdAt: dataRequests.createdAt,
    })
    .from(dataRequests)
    .where(
      and(
        eq(dataRequests.tenantId, tenantId),
        cursor
          ? or(
              lt(dataRequests.createdAt, cursor[0]),
              and(eq(dataRequests.createdAt, cursor[0]), lt(dataRequests.id, cursor[1]))
            )
          : undefined
      )
    )
    .orderBy(desc(dataRequests.createdAt), desc(dataRequests.id))
    .limit(query.limit + 1)
  const items = rows.slice(0, query.limit)
  const last = items[items.length - 1]
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null }
}

/** One request of the tenant with everything collected, or the API's 404. */
export async function readDataRequest(db: Database, tenantId: string, id: string) {
  const row = await db
    .select()
    .from(dataRequests)
    .where(and(eq(dataRequests.id, id), eq(dataRequests.tenantId, tenantId)))
    .get()
  if (!row) throw notFound('data request')
  const { tenantId: _tenant, ...request } = row
  return request
}
