/**
 * Settles a connection's identity when it is created or its credentials change (issue 16,
 * finding 1; SPEC §4): a live connection to the same platform account is refused with a 409 that
 * names it, and a connection re-created for an account whose connection was deleted takes over
 * that connection's id, so the orders it reads again keep their ids and nothing already handed
 * over is handed over again. A retried or concurrent create cannot make a second identity: the
 * partial unique index on (tenant, account key) among live connections decides the race.
 */
import { and, desc, eq, isNotNull, isNull, ne, sql } from 'drizzle-orm'
import { findConnector } from '../connectors/registry'
import { type Keyring } from '../core/crypto'
import { ApiError } from '../core/errors'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { openConnection } from '../db/connections'
import { connections } from '../db/schema'
import { type Statement, writeBatch } from '../db/write-batch'
import { accountKey } from './account-key'

type NewConnectionRow = typeof connections.$inferInsert & { id: string; accountKey: string; createdAt: string }

export type ClaimedAccount = {
  /** The connection's id: the new one, or the deleted connection's it took over. */
  id: string
  createdAt: string
  tookOver: boolean
}

/** D1's refusal by a unique index; Drizzle wraps it, with D1's error as the cause. */
function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (String((current as Error).message ?? current).includes('UNIQUE constraint failed')) return true
  }
  return false
}

async function liveHolder(db: Database, tenantId: string, key: string, exceptId?: string) {
  return db
    .select({ id: connections.id, name: connections.name, platform: connections.platform })
    .from(connections)
    .where(
      and(
        eq(connections.tenantId, tenantId),
        eq(connections.accountKey, key),
        isNull(connections.deletedAt),
        exceptId ? ne(connections.id, exceptId) : undefined
      )
    )
    .get()
}

function accountTaken(holder: { id: string; name: string; platform: string }): ApiError {
  return new ApiError(
    409,
    'conflict',
    `connection ${holder.id} ("${holder.name}") already connects this ${holder.platform} account; ` +
      `change it with PATCH /api/v1/connections/${holder.id}, or delete it first`
  )
}

async function refuseIfTaken(db: Database, tenantId: string, key: string, exceptId?: string) {
  const holder = await liveHolder(db, tenantId, key, exceptId)
  if (holder) throw accountTaken(holder)
}

/**
 * Connections written before account keys existed have none. Before a create of their platform,
 * each gets its key, so a live one is found and a deleted one can be taken over. A live legacy
 * twin of an account that already has a live keyed connection keeps a null key (the index allows
 * one live key per account).
 */
async function fillLegacyKeys(db: Database, keys: Keyring, tenantId: string, platform: string) {
  const connector = findConnector(platform)
  if (!connector) return
  const legacy = await db
    .select()
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), eq(connections.platform, platform), isNull(connections.accountKey)))
  for (const row of legacy) {
    try {
      const opened = await openConnection(row, keys)
      const key = await accountKey(connector, connector.credentialsSchema.parse(opened.credentials), row.settings)
      await db
        .update(connections)
        .set({ accountKey: key })
        .where(
          and(
            eq(connections.id, row.id),
            isNull(connections.accountKey),
            row.deletedAt
              ? undefined
              : sql`not exists (select 1 from ${connections} as live where live.tenant_id = ${tenantId}
                  and live.account_key = ${key} and live.deleted_at is null)`
          )
        )
    } catch (error) {
      // Credentials that no longer parse name no account; the row keeps a null key and is left alone.
      logger.warn('account key of an older connection not derived', { connectionId: row.id, error: String(error) })
    }
  }
}

/** Takes over the most recently deleted connection of this account, if there is one. */
async function takeOverDeleted(
  db: Database,
  row: NewConnectionRow,
  alsoWrite: (id: string) => Statement[]
): Promise<ClaimedAccount | null> {
  const deleted = await db
    .select({ id: connections.id, createdAt: connections.createdAt })
    .from(connections)
    .where(
      and(
        eq(connections.tenantId, row.tenantId),
        eq(connections.accountKey, row.accountKey),
        isNotNull(connections.deletedAt)
      )
    )
    .orderBy(desc(connections.deletedAt))
    .get()
  if (!deleted) return null
  const [revived] = await writeBatch(db, [
    db
      .update(connections)
      .set({
        name: row.name,
        credentials: row.credentials,
        settings: row.settings,
        routes: row.routes,
        sessionState: null,
        webhookRegistration: null,
        pollDueAt: null,
        // Created afresh: not paused, whatever the deleted connection was.
        pausedAt: null,
        updatedAt: row.updatedAt,
        deletedAt: null,
      })
      // Compare-and-set: of two creates racing for the same deleted connection, one takes it over.
      .where(and(eq(connections.id, deleted.id), isNotNull(connections.deletedAt))),
    ...alsoWrite(deleted.id),
  ])
  return revived.meta.changes > 0 ? { id: deleted.id, createdAt: deleted.createdAt, tookOver: true } : null
}

/**
 * Writes a new connection under the identity of its platform account: refused (409) while a live
 * connection holds the account, the deleted connection's id taken over when there is one, else
 * inserted as given.
 */
export async function claimAccount(
  db: Database,
  keys: Keyring,
  row: NewConnectionRow,
  /** Written in the same batch as the connection (its audit row), given the id it ends up with. */
  alsoWrite: (id: string) => Statement[] = () => []
): Promise<ClaimedAccount> {
  await fillLegacyKeys(db, keys, row.tenantId, row.platform)
  await refuseIfTaken(db, row.tenantId, row.accountKey)
  try {
    const tookOver = await takeOverDeleted(db, row, alsoWrite)
    if (tookOver) return tookOver
    await writeBatch(db, [db.insert(connections).values(row), ...alsoWrite(row.id)])
    return { id: row.id, createdAt: row.createdAt, tookOver: false }
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    // A concurrent create of the same account won the race: name it.
    const holder = await liveHolder(db, row.tenantId, row.accountKey)
    if (holder) throw accountTaken(holder)
    throw error
  }
}

/** The account key for a changed connection; 409 when another live connection holds that account. */
export async function accountKeyForChange(
  db: Database,
  current: { id: string; tenantId: string; platform: string },
  credentials: Record<string, unknown>,
  settings: Record<string, unknown>
): Promise<string> {
  const connector = findConnector(current.platform)!
  const key = await accountKey(connector, credentials, settings)
  await refuseIfTaken(db, current.tenantId, key, current.id)
  return key
}
