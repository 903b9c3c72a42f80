/**
 * Connections as the rest of Kontor uses them: credentials decrypted only here, on the way to a
 * connector, and never returned by the API.
 *
 * Intake reads through a per-isolate cache so a burst of webhooks does not read and decrypt the
 * same connection thousands of times. The window in which intake may act on an old row is
 * INTAKE_CACHE_MS (3 s), and shorter in these cases:
 * - a change or deletion through the API clears the entry in the isolate that made it at once;
 * - a webhook whose signature fails against the cached credentials is checked again against a
 *   fresh read before it is refused, so a rotated webhook secret works at once everywhere;
 * - a connection that was not found is not cached at all.
 * So for at most 3 s another isolate may still accept a webhook for a connection deleted
 * elsewhere (its INGEST consumer then drops it: the consumer always reads D1) or signed with
 * the secret just replaced.
 */
import { and, eq, isNull, type SQL, sql } from 'drizzle-orm'
import { decryptJson, encryptJson, type Keyring } from '../core/crypto'
import type { Platform } from '../core/model'
import { type Database, nowIso } from './client'
import { connections, tenants } from './schema'

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

export async function openConnection(row: ConnectionRow, keys: Keyring): Promise<LoadedConnection> {
  return {
    id: row.id,
    tenantId: row.tenantId,
    platform: row.platform as Platform,
    name: row.name,
    settings: row.settings,
    routes: row.routes,
    credentials: await decryptJson<Record<string, unknown>>(keys, row.credentials),
    createdAt: row.createdAt,
  }
}

export async function loadConnection(db: Database, keys: Keyring, id: string): Promise<LoadedConnection | null> {
  const row = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), isNull(connections.deletedAt)))
    .get()
  return row ? openConnection(row, keys) : null
}

export const INTAKE_CACHE_MS = 3_000
/** Intake's copy also says whether the tenant is suspended (its webhooks then answer 410). */
export type IntakeConnection = LoadedConnection & { tenantSuspended: boolean }
const intakeCache = new Map<string, { connection: IntakeConnection; until: number }>()

/**
 * Intake's read, cached for INTAKE_CACHE_MS (see the module comment). `fresh` skips the cache:
 * intake asks for it before refusing a signature that failed against cached credentials.
 */
export async function loadConnectionForIntake(
  db: Database,
  keys: Keyring,
  id: string,
  options: { fresh?: boolean; now?: number } = {}
): Promise<IntakeConnection | null> {
  const now = options.now ?? Date.now()
  const cached = intakeCache.get(id)
  if (!options.fresh && cached && cached.until > now) return cached.connection
  const loaded = await loadConnection(db, keys, id)
  if (!loaded) {
    intakeCache.delete(id)
    return null
  }
  const tenant = await db
    .select({ suspendedAt: tenants.suspendedAt })
    .from(tenants)
    .where(eq(tenants.id, loaded.tenantId))
    .get()
  const connection = { ...loaded, tenantSuspended: !!tenant?.suspendedAt }
  if (intakeCache.size > 5000) intakeCache.clear()
  intakeCache.set(id, { connection, until: now + INTAKE_CACHE_MS })
  return connection
}

export function forgetConnection(id: string) {
  intakeCache.delete(id)
}

export async function readSessionState<T>(db: Database, keys: Keyring, id: string): Promise<T | null> {
  const row = await db
    .select({ sessionState: connections.sessionState })
    .from(connections)
    .where(eq(connections.id, id))
    .get()
  return row?.sessionState ? decryptJson<T>(keys, row.sessionState) : null
}

export async function writeSessionState(db: Database, keys: Keyring, id: string, value: unknown) {
  const sealed = value === null ? null : await encryptJson(keys, value)
  await db.update(connections).set({ sessionState: sealed, updatedAt: nowIso() }).where(eq(connections.id, id))
}

/** The filter for a tenant's live source connections whose routes name `destination`. */
export function routedTo(destination: { id: string; tenantId: string }): SQL {
  return and(
    eq(connections.tenantId, destination.tenantId),
    isNull(connections.deletedAt),
    sql`exists (select 1 from json_each(${connections.routes}) where value = ${destination.id})`
  )!
}
