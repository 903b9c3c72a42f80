/**
 * Compare-and-set inside a D1 batch. A batch that was planned from a snapshot starts with a guard
 * statement that fails (through the `write_guards` CHECK) when the snapshot is no longer true;
 * D1 then rolls the whole batch back, and the caller plans again from fresh data.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from './client'
import { writeGuards } from './schema'

export function guardStatement(db: Database, stillTrue: SQL) {
  return db.run(sql`insert into ${writeGuards} (ok) select 0 where not (${stillTrue})`)
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
  return text.includes('stale_snapshot')
}
