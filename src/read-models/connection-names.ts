/**
 * The names of a tenant's connections (and hub endpoints), for the dashboard's filters and the rows
 * it labels in place of their ids.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import type { Database } from '../db/client'
import { connections, webhookEndpoints } from '../db/schema'

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

/** A connection by its name, or a hub endpoint (an outbound call's target) by its URL. */
export type NamedTarget = { name: string; kind: 'connection' | 'hub' }

/** The connections and hub endpoints of the given ids, deleted ones included, in one round trip. */
export async function namesOfTargets(db: Database, tenantId: string, ids: string[]) {
  const [connectionRows, endpointRows] = await db.batch([
    db
      .select({ id: connections.id, name: connections.name })
      .from(connections)
      .where(and(eq(connections.tenantId, tenantId), inArray(connections.id, ids))),
    db
      .select({ id: webhookEndpoints.id, name: webhookEndpoints.url })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, tenantId), inArray(webhookEndpoints.id, ids))),
  ])
  return new Map<string, NamedTarget>([
    ...connectionRows.map((row) => [row.id, { name: row.name, kind: 'connection' }] as const),
    ...endpointRows.map((row) => [row.id, { name: row.name, kind: 'hub' }] as const),
  ])
}
