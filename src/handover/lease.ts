/**
 * A hand-over row is worked on by one consumer at a time: a claim sets `lease_until` in the same
 * statement that checks the row's state, so a queue redelivery, the cron's sweep and a replay
 * racing for the same row cannot both call the destination.
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { HandoverReference } from '../connectors/types'
import type { HandoverState } from '../core/model'
import { type Database, nowIso } from '../db/client'
import { handovers } from '../db/schema'

/** Long enough for one hand-over call with its retries inside the HTTP client. */
const LEASE_MS = 2 * 60_000

export type HandoverRow = typeof handovers.$inferSelect

export async function claimHandover(
  db: Database,
  id: string,
  states: HandoverState[],
  options: { countAttempt: boolean }
): Promise<HandoverRow | null> {
  const now = new Date()
  const rows = await db
    .update(handovers)
    .set({
      leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString(),
      updatedAt: now.toISOString(),
      ...(options.countAttempt ? { attempts: sql`${handovers.attempts} + 1` } : {}),
    })
    .where(
      and(
        eq(handovers.id, id),
        sql`${handovers.state} in (${sql.join(
          states.map((state) => sql`${state}`),
          sql`, `
        )})`,
        or(isNull(handovers.leaseUntil), lt(handovers.leaseUntil, now.toISOString()))
      )
    )
    .returning()
  return rows[0] ?? null
}

/** Ends a claim: the new state (only if the row is still in `from`), or just the lease and error. */
export async function releaseHandover(
  db: Database,
  id: string,
  change: {
    from: HandoverState[]
    to?: HandoverState
    reference?: string | null
    details?: Record<string, unknown>
    lastError?: string | null
  }
): Promise<boolean> {
  const set: Partial<HandoverRow> = { leaseUntil: null, updatedAt: nowIso() }
  if (change.to) set.state = change.to
  if (change.reference !== undefined) set.reference = change.reference
  if (change.details !== undefined) set.details = change.details
  if (change.lastError !== undefined) set.lastError = change.lastError?.slice(0, 2000) ?? null
  const rows = await db
    .update(handovers)
    .set(set)
    .where(
      and(
        eq(handovers.id, id),
        sql`${handovers.state} in (${sql.join(
          change.from.map((state) => sql`${state}`),
          sql`, `
        )})`
      )
    )
    .returning({ id: handovers.id })
  return rows.length > 0
}

/** A row as a destination connector sees it again (to cancel, change or confirm it). */
export function referenceOf(row: HandoverRow): HandoverReference {
  return {
    orderId: row.orderId,
    reference: row.reference,
    state: row.state as HandoverState,
    details: row.details,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}
