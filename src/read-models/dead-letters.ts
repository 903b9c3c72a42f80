/**
 * Dead letters as the API and the dashboard read them, each with what it is about (the step,
 * the connection, the order, the error in words: src/queue/dead-letter-context.ts). A tenant sees
 * only its own; the operator those of the tenant it picked (`X-Tenant-Id`, or the dashboard's
 * choice), and every tenant's without one. Replays (src/queue/replay.ts) take the same scope.
 */
import { and, asc, desc, eq, gt, isNull, type SQL } from 'drizzle-orm'
import type { Caller } from '../core/caller'
import { notFound } from '../core/errors'
import type { Database } from '../db/client'
import { deadLetters } from '../db/schema'
import {
  type DeadLetterFilter,
  type DeadLetterInContext,
  deadLetterMatch,
  deadLettersInContext,
  presentContext,
} from '../queue/dead-letter-context'

/** The dead letters a caller may see, as a filter (undefined: every one). */
export type DeadLetterScope = SQL | undefined

export function visibleTo(caller: Caller, requestedTenant?: string | null): DeadLetterScope {
  if (caller.kind === 'tenant') return eq(deadLetters.tenantId, caller.tenantId)
  return requestedTenant ? eq(deadLetters.tenantId, requestedTenant) : undefined
}

export type DeadLetterListFilter = DeadLetterFilter & { pendingOnly: boolean }

function matching(visible: DeadLetterScope, filter: DeadLetterListFilter) {
  return and(visible, filter.pendingOnly ? isNull(deadLetters.replayedAt) : undefined, deadLetterMatch(filter))
}

/** One letter as a list shows it: the row (without its tenant id) and its context. */
function present(entry: DeadLetterInContext) {
  const { tenantId: _tenant, ...row } = entry.row
  return { ...row, ...presentContext(entry) }
}

/** The API's list: by id, paged by id; the tenant id stays inside. */
export async function listDeadLetters(
  db: Database,
  visible: DeadLetterScope,
  options: DeadLetterListFilter & { cursor?: string; limit: number }
) {
  const rows = await deadLettersInContext(db)
    .where(and(matching(visible, options), options.cursor ? gt(deadLetters.id, options.cursor) : undefined))
    .orderBy(asc(deadLetters.id))
    .limit(options.limit + 1)
  const items = rows.slice(0, options.limit).map(present)
  return { items, nextCursor: rows.length > options.limit ? items[items.length - 1].id : null }
}

/** The dashboard's list: newest first, each with its tenant's name. */
export async function recentDeadLetters(
  db: Database,
  visible: DeadLetterScope,
  options: DeadLetterListFilter & { limit: number }
) {
  const rows = await deadLettersInContext(db)
    .where(matching(visible, options))
    .orderBy(desc(deadLetters.createdAt), desc(deadLetters.id))
    .limit(options.limit)
  return rows.map((entry) => ({ ...present(entry), tenantName: entry.tenantName }))
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
