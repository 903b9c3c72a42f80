/** The names of a tenant's connections, for the dashboard's filters and the rows it labels. */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import type { Database } from '../db/client'
import { connections } from '../db/schema'

/** The tenant's live connections by name (a query, so a page can batch it with its own). */
export function connectionNamesQuery(db: Database, tenantId: string) {
  return db
    .select({ id: connections.id, name: connections.name })
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
    .orderBy(asc(connections.name))
}

/** The names of the given connections, deleted ones included (an order keeps its connection). */
export async function namesOfConnections(db: Database, tenantId: string, ids: string[]) {
  const rows = await db
    .select({ id: connections.id, name: connections.name })
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), inArray(connections.id, ids)))
  return new Map(rows.map((row) => [row.id, row.name]))
}
