/**
 * Replaying dead letters: the original message goes to its queue again and the row is marked
 * replayed. The API (routes/api/dead-letters.ts) and the dashboard both replay through here.
 */
import { and, asc, eq, gte, isNull, type SQL } from 'drizzle-orm'
import { type Database, nowIso } from '../db/client'
import { deadLetters } from '../db/schema'
import type { Bindings } from '../env'
import { type Actor, auditStatement } from '../audit/audit-log'
import { writeBatch } from '../db/write-batch'

export type DeadLetterRow = typeof deadLetters.$inferSelect

/** How many dead letters one "replay since" sends at most. */
export const REPLAY_LIMIT = 500

/** `who`: the person replaying, for the audit trail (none when Kontor itself sends parked work). */
export async function replayDeadLetter(env: Bindings, db: Database, row: DeadLetterRow, who?: Actor) {
  const queue = row.queue === 'ingest' ? env.INGEST : row.queue === 'dispatch' ? env.DISPATCH : env.SYNC
  await queue.send(row.body)
  const at = nowIso()
  await writeBatch(db, [
    db.update(deadLetters).set({ replayedAt: at }).where(eq(deadLetters.id, row.id)),
    ...(who
      ? [
          auditStatement(db, who, {
            tenantId: row.tenantId,
            action: 'dead_letter.replayed',
            targetId: row.id,
            details: { queue: row.queue },
            at,
          }),
        ]
      : []),
  ])
}

/** Replays every dead letter not yet replayed created at or after `since` (ISO), within `visible`. */
export async function replayDeadLettersSince(
  env: Bindings,
  db: Database,
  visible: SQL | undefined,
  since: string,
  who?: Actor
): Promise<number> {
  const rows = await db
    .select()
    .from(deadLetters)
    .where(and(visible, gte(deadLetters.createdAt, since), isNull(deadLetters.replayedAt)))
    .orderBy(asc(deadLetters.id))
    .limit(REPLAY_LIMIT)
  for (const row of rows) await replayDeadLetter(env, db, row, who)
  return rows.length
}
