/**
 * Pausing a connection (issue 19): while paused Kontor starts no poll or backfill for it, by
 * cron or by hand; webhooks it receives are still taken in and imported, and write-backs and
 * hand-overs still run, so nothing is lost. Resuming makes it due at once, and the next cron
 * tick polls it from where it stopped. Each is a compare-and-set on `paused_at` with its audit
 * row in the same batch: pausing a paused connection (or resuming a running one) changes nothing.
 */
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import { ApiError } from '../core/errors'
import { type Database, nowIso } from '../db/client'
import type { ConnectionRow } from '../db/connections'
import { connections } from '../db/schema'
import { writeBatch } from '../db/write-batch'
import { guardStatement, isGuardFailure } from '../db/write-guard'
import { type Actor, auditStatement, SYSTEM } from '../audit/audit-log'
import { ownConnection } from './read-model'

export async function setConnectionPaused(
  db: Database,
  tenantId: string,
  id: string,
  paused: boolean,
  who: Actor = SYSTEM
): Promise<ConnectionRow> {
  const row = await ownConnection(db, tenantId, id)
  const now = nowIso()
  const inState = paused ? isNull(connections.pausedAt) : isNotNull(connections.pausedAt)
  try {
    await writeBatch(db, [
      guardStatement(db, sql`exists (select 1 from ${connections} where ${and(eq(connections.id, row.id), inState)})`),
      db
        .update(connections)
        .set(paused ? { pausedAt: now, updatedAt: now } : { pausedAt: null, pollDueAt: null, updatedAt: now })
        .where(eq(connections.id, row.id)),
      auditStatement(db, who, {
        tenantId,
        action: paused ? 'connection.paused' : 'connection.resumed',
        targetId: row.id,
        at: now,
      }),
    ])
  } catch (error) {
    if (!isGuardFailure(error)) throw error
    throw new ApiError(
      409,
      paused ? 'already_paused' : 'not_paused',
      `the connection is ${paused ? 'paused already' : 'not paused'}`
    )
  }
  return ownConnection(db, tenantId, id)
}
