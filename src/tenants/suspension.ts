/**
 * What a suspended tenant's work does while it waits (issue 18). The cron skips the tenant's
 * connections and rows (`activeTenant`); a queue message of the tenant that is consumed anyway
 * (queued before the suspension, or by another isolate's intake within its 3 s cache) is parked:
 * recorded as a dead letter marked PARKED and acknowledged, so nothing is lost. A restore, and
 * the cron for any tenant restored, sends parked messages again.
 */
import { and, asc, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { deadLetters, tenants } from '../db/schema'
import type { Bindings } from '../env'
import { replayDeadLetter } from '../queue/replay'

export const PARKED = 'parked: the tenant is suspended'
const REPLAY_BATCH = 200

/** SQL: the tenant in `tenantId` is not suspended. */
export function activeTenant(tenantId: SQL | { getSQL(): SQL }): SQL {
  return sql`${tenantId} not in (select ${tenants.id} from ${tenants} where ${tenants.suspendedAt} is not null)`
}

/** The suspended tenants (few: an operator's recent DELETEs); one indexed read per queue batch. */
export async function suspendedTenants(db: Database): Promise<Set<string>> {
  const rows = await db.select({ id: tenants.id }).from(tenants).where(isNotNull(tenants.suspendedAt))
  return new Set(rows.map((row) => row.id))
}

/** Sends the tenant's parked messages again (a bounded batch; the cron sends the rest). */
export async function replayParkedWork(env: Bindings, db: Database, tenantId?: string): Promise<number> {
  const rows = await db
    .select()
    .from(deadLetters)
    .where(
      and(
        tenantId ? eq(deadLetters.tenantId, tenantId) : activeTenant(deadLetters.tenantId),
        eq(deadLetters.error, PARKED),
        isNull(deadLetters.replayedAt)
      )
    )
    .orderBy(asc(deadLetters.createdAt), asc(deadLetters.id))
    .limit(REPLAY_BATCH)
  for (const row of rows) await replayDeadLetter(env, db, row)
  return rows.length
}
