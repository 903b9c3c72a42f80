/**
 * Compare-and-set inside a D1 batch. A batch planned from a snapshot fails when the snapshot is
 * no longer true; D1 then rolls the whole batch back, and the caller plans again from fresh data.
 * Two ways to fail: a guard statement whose `write_guards` CHECK rejects the row, or, for an
 * order upsert, a `revision` that comes out NULL (the column is NOT NULL) when the order is not
 * at the planned revision. The second costs no statement of its own.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from './client'
import { orders, writeGuards } from './schema'

export function guardStatement(db: Database, stillTrue: SQL) {
  return db.run(sql`insert into ${writeGuards} (ok) select 0 where not (${stillTrue})`)
}

/**
 * `revision` of an order upsert planned from `expected` (null: the order did not exist yet). The
 * conflicting row, if any, gets its revision bumped only when it is still at `expected`, which a
 * null `expected` never matches; anything else is NULL, which the NOT NULL column refuses.
 */
export function orderRevisionCompareAndSet(expected: number | null) {
  return {
    inserted: expected === null ? 0 : expected + 1,
    updated: sql`case when ${orders.revision} = ${expected} then ${orders.revision} + 1 end`,
  }
}

export class StaleSnapshotError extends Error {
  constructor(what: string) {
    super(`${what} changed while it was being written; planned again`)
    this.name = 'StaleSnapshotError'
  }
}

/** Whether a failed batch was rolled back by a guard (rather than by a real error). */
export function isGuardFailure(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error)
  return text.includes('stale_snapshot') || text.includes('NOT NULL constraint failed: orders.revision')
}
