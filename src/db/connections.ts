/**
 * Connections as the rest of Kontor uses them: credentials decrypted only here, on the way to a
 * connector, and never returned by the API. Intake reads through a short per-isolate cache so a
 * burst of webhooks does not decrypt the same credentials thousands of times.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { decryptJson, encryptJson } from '../core/crypto'
import type { Platform } from '../core/model'
import { type Database, nowIso } from './client'
import { connections } from './schema'

export type ConnectionRow = typeof connections.$inferSelect

export type LoadedConnection = {
  id: string
  tenantId: string
  platform: Platform
  name: string
  settings: Record<string, unknown>
  routes: string[]
  credentials: Record<string, unknown>
  createdAt: string
}

export async function openConnection(row: ConnectionRow, encryptionKey: string): Promise<LoadedConnection> {
  return {
    id: row.id,
    tenantId: row.tenantId,
    platform: row.platform as Platform,
    name: row.name,
    settings: row.settings,
    routes: row.routes,
    credentials: await decryptJson<Record<string, unknown>>(encryptionKey, row.credentials),
    createdAt: row.createdAt,
  }
}

export async function loadConnection(
  db: Database,
  encryptionKey: string,
  id: string
): Promise<LoadedConnection | null> {
  const row = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), isNull(connections.deletedAt)))
    .get()
  return row ? openConnection(row, encryptionKey) : null
}

const CACHE_MS = 30_000
const intakeCache = new Map<string, { connection: LoadedConnection | null; until: number }>()

/** Intake's read: cached briefly; a change through the API clears the entry in this isolate. */
export async function loadConnectionForIntake(
  db: Database,
  encryptionKey: string,
  id: string
): Promise<LoadedConnection | null> {
  const cached = intakeCache.get(id)
  if (cached && cached.until > Date.now()) return cached.connection
  const connection = await loadConnection(db, encryptionKey, id)
  if (intakeCache.size > 5000) intakeCache.clear()
  intakeCache.set(id, { connection, until: Date.now() + CACHE_MS })
  return connection
}

export function forgetConnection(id: string) {
  intakeCache.delete(id)
}

export async function readSessionState<T>(db: Database, encryptionKey: string, id: string): Promise<T | null> {
  const row = await db
    .select({ sessionState: connections.sessionState })
    .from(connections)
    .where(eq(connections.id, id))
    .get()
  return row?.sessionState ? decryptJson<T>(encryptionKey, row.sessionState) : null
}

export async function writeSessionState(db: Database, encryptionKey: string, id: string, value: unknown) {
  const sealed = value === null ? null : await encryptJson(encryptionKey, value)
  await db.update(connections).set({ sessionState: sealed, updatedAt: nowIso() }).where(eq(connections.id, id))
}
