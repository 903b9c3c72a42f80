/**
 * The import log as the API and the dashboard read it: a tenant's decisions, newest first, paged
 * by (time, id) and filtered by connection, kind, platform id, result or rule; each line with the
 * hub's order it is about, when there is one.
 */
import { and, desc, eq, getTableColumns, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { importLog, orders } from '../db/schema'
import { connectionNamesQuery } from './connection-names'

export type ImportLogFilters = {
  connectionId?: string
  kind?: string
  externalId?: string
  result?: string
  rule?: string
  cursor?: string
}

function importLogQuery(db: Database, tenantId: string, filters: ImportLogFilters, limit: number) {
  return (
    db
      .select({ ...getTableColumns(importLog), orderId: sql<string | null>`${orders.id}`.as('order_id') })
      .from(importLog)
      // The order a line is about, so the log links to it.
      .leftJoin(
        orders,
        and(
          eq(importLog.kind, 'order'),
          eq(orders.connectionId, importLog.connectionId),
          eq(orders.externalId, importLog.externalId),
          eq(orders.tenantId, tenantId)
        )
      )
      .where(
        and(
          eq(importLog.tenantId, tenantId),
          filters.connectionId ? eq(importLog.connectionId, filters.connectionId) : undefined,
          filters.kind ? eq(importLog.kind, filters.kind) : undefined,
          filters.externalId ? eq(importLog.externalId, filters.externalId) : undefined,
          filters.result ? eq(importLog.result, filters.result) : undefined,
          filters.rule ? eq(importLog.rule, filters.rule) : undefined,
          afterCursor(filters.cursor, importLog.at, importLog.id)
        )
      )
      .orderBy(desc(importLog.at), desc(importLog.id))
      .limit(limit + 1)
  )
}

/** One page of entries and the cursor of the next; the tenant id stays inside. */
export async function listImportLog(db: Database, tenantId: string, filters: ImportLogFilters, limit: number) {
  const rows = await importLogQuery(db, tenantId, filters, limit)
  const { page, nextCursor } = keysetPage(rows, limit, (row) => [row.at, row.id])
  return { items: page.map(({ tenantId: _tenant, ...entry }) => entry), nextCursor }
}

/** The dashboard's page: the entries and the tenant's connections (for names and the filter), one round trip. */
export async function importLogView(db: Database, tenantId: string, filters: ImportLogFilters, limit: number) {
  const [connections, rows] = await db.batch([
    connectionNamesQuery(db, tenantId),
    importLogQuery(db, tenantId, filters, limit),
  ])
  const { page, nextCursor } = keysetPage(rows, limit, (row) => [row.at, row.id])
  return { connections, page, nextCursor }
}
