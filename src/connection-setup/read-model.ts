/**
 * A tenant's connections as the API and the dashboard read them: live rows only (a deleted
 * connection is gone for its tenant), never decrypted here. Credentials are opened only by the
 * use cases that need them (src/db/connections.ts).
 */
import { and, eq, inArray, isNull } from 'drizzle-orm'
import { notFound } from '../core/errors'
import type { Database } from '../db/client'
import type { ConnectionRow } from '../db/connections'
import { connections, syncCursors } from '../db/schema'

export async function listConnections(db: Database, tenantId: string): Promise<ConnectionRow[]> {
  return db
    .select()
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
}

/** A live connection of the tenant, or the API's 404. */
export async function ownConnection(db: Database, tenantId: string, id: string): Promise<ConnectionRow> {
  const row = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
    .get()
  if (!row) throw notFound('connection')
  return row
}

/** Which of `ids` are live connections of the tenant, with their platforms. */
export async function liveConnectionsAmong(db: Database, tenantId: string, ids: string[]) {
  return db
    .select({ id: connections.id, platform: connections.platform })
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), inArray(connections.id, ids), isNull(connections.deletedAt)))
}

/** Where the connection's last poll stopped, or null before its first. */
export async function lastPollCursor(db: Database, connectionId: string): Promise<string | null> {
  const row = await db
    .select({ cursor: syncCursors.cursor })
    .from(syncCursors)
    .where(and(eq(syncCursors.connectionId, connectionId), eq(syncCursors.kind, 'poll')))
    .get()
  return row?.cursor ?? null
}
