/**
 * Dead letters as the API and the dashboard read them. A tenant sees only its own; the operator
 * those of the tenant it picked (`X-Tenant-Id`, or the dashboard's choice), and every tenant's
 * without one. Replays (src/queue/replay.ts) take the same scope.
 */
import { and, asc, desc, eq, gt, isNull, type SQL } from 'drizzle-orm'
import type { Caller } from '../core/caller'
import { notFound } from '../core/errors'
import type { Database } from '../db/client'
import { deadLetters, tenants } from '../db/schema'

/** The dead letters a caller may see, as a filter (undefined: every one). */
export type DeadLetterScope = SQL | undefined

export function visibleTo(caller: Caller, requestedTenant?: string | null): DeadLetterScope {
  if (caller.kind === 'tenant') return eq(deadLetters.tenantId, caller.tenantId)
  return requestedTenant ? eq(deadLetters.tenantId, requestedTenant) : undefined
}

/** The API's list: by id, paged by id; the tenant id stays inside. */
export async function listDeadLetters(
  db: Database,
  visible: DeadLetterScope,
  options: { cursor?: string; limit: number; pendingOnly: boolean }
) {
  const rows = await db
    .select()
    .from(deadLetters)
    .where(
      and(
        visible,
        options.cursor ? gt(deadLetters.id, options.cursor) : undefined,
        options.pendingOnly ? isNull(deadLetters.replayedAt) : undefined
      )
    )
    .orderBy(asc(deadLetters.id))
    .limit(options.limit + 1)
  const items = rows.slice(0, options.limit).map(({ tenantId: _tenant, ...row }) => row)
  return { items, nextCursor: rows.length > options.limit ? items[items.length - 1].id : null }
}

/** The dashboard's list: newest first, each with its tenant's name. */
export async function recentDeadLetters(
  db: Database,
  visible: DeadLetterScope,
  options: { limit: number; pendingOnly: boolean }
) {
  return db
    .select({ row: deadLetters, tenantName: tenants.name })
    .from(deadLetters)
    .leftJoin(tenants, eq(tenants.id, deadLetters.tenantId))
    .where(and(visible, options.pendingOnly ? isNull(deadLetters.replayedAt) : undefined))
    .orderBy(desc(deadLetters.createdAt), desc(deadLetters.id))
    .limit(options.limit)
}

/** One dead letter the caller may see, or the API's 404. */
export async function visibleDeadLetter(db: Database, visible: DeadLetterScope, id: string) {
  const row = await db
    .select()
    .from(deadLetters)
    .where(and(eq(deadLetters.id, id), visible))
    .get()
  if (!row) throw notFound('dead letter')
  return row
}
