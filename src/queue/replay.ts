/**
 * Replaying dead letters: the original message goes to its queue again and the row is marked
 * replayed. The API (routes/api/dead-letters.ts) and the dashboard both replay through here,
 * one letter or every pending one that matches a filter.
 */
import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm'
import { type Database, nowIso } from '../db/client'
import { deadLetters } from '../db/schema'
import type { Bindings } from '../env'
import { type Actor, auditStatement } from '../audit/audit-log'
import { writeBatch } from '../db/write-batch'
import { guardStatement, isGuardFailure } from '../db/write-guard'
import { type DeadLetterFilter, deadLetterMatch, deadLettersInContext } from './dead-letter-context'

export type DeadLetterRow = typeof deadLetters.$inferSelect

/** How many dead letters one filtered replay sends at most. */
export const REPLAY_LIMIT = 500

/**
 * Marks the row replayed first, as a compare-and-set: of two replays racing for one dead letter
 * only one sends it. If the send fails the mark is taken back, so the letter can be replayed again.
 * Returns whether this call sent it. `who`: the person replaying, for the audit trail, written
 * with the mark (none when Kontor itself sends work parked for a suspended tenant).
 */
export async function replayDeadLetter(env: Bindings, db: Database, row: DeadLetterRow, who?: Actor): Promise<boolean> {
  const queue = row.queue === 'ingest' ? env.INGEST : row.queue === 'dispatch' ? env.DISPATCH : env.SYNC
  const replayedAt = nowIso()
  try {
    await writeBatch(db, [
      guardStatement(db, sql`exists (select 1 from ${deadLetters} where id = ${row.id} and replayed_at is null)`),
      db.update(deadLetters).set({ replayedAt }).where(eq(deadLetters.id, row.id)),
      ...(who
        ? [
            auditStatement(db, who, {
              tenantId: row.tenantId,
              action: 'dead_letter.replayed',
              targetId: row.id,
              details: { queue: row.queue },
              at: replayedAt,
            }),
          ]
        : []),
    ])
  } catch (error) {
    if (isGuardFailure(error)) return false
    throw error
  }
  try {
    await queue.send(row.body)
  } catch (error) {
    await db
      .update(deadLetters)
      .set({ replayedAt: null })
      .where(and(eq(deadLetters.id, row.id), eq(deadLetters.replayedAt, replayedAt)))
    throw error
  }
  return true
}

/**
 * Replays every dead letter not yet replayed that matches `filter` (a time, a connection, a step,
 * an error; see dead-letter-context.ts), within `visible`, oldest first, at most REPLAY_LIMIT.
 */
export async function replayDeadLettersMatching(
  env: Bindings,
  db: Database,
  visible: SQL | undefined,
  filter: DeadLetterFilter,
  who?: Actor
): Promise<number> {
  const rows = await deadLettersInContext(db)
    .where(and(visible, isNull(deadLetters.replayedAt), deadLetterMatch(filter)))
    .orderBy(asc(deadLetters.id))
    .limit(REPLAY_LIMIT)
  let replayed = 0
  for (const { row } of rows) if (await replayDeadLetter(env, db, row, who)) replayed++
  return replayed
}
