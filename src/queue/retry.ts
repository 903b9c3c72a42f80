/**
 * What a consumer does with a failed message: retry later with exponential backoff (the
 * platform's Retry-After wins), or, when the error is final or the attempts are spent, record
 * it in `dead_letters` and acknowledge it. Nothing fails silently.
 */
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import { FinalError, RetryableError } from '../core/errors'
import { randomId } from '../core/ids'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { nowIso } from '../db/client'
import { deadLetters } from '../db/schema'

/** Matches max_retries in wrangler.toml: after this many attempts a message is dead-lettered. */
export const MAX_ATTEMPTS = 6
const MAX_DELAY_SECONDS = 12 * 60 * 60

export function backoffSeconds(attempt: number, baseSeconds: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return Math.min(MAX_DELAY_SECONDS, Math.ceil(retryAfterSeconds))
  return Math.min(MAX_DELAY_SECONDS, Math.round(baseSeconds * 2 ** (attempt - 1)))
}

export async function recordDeadLetter(
  db: Database,
  entry: { queue: string; body: unknown; error: string; attempts: number; tenantId?: string | null }
) {
  // A replayed message that fails again reopens its dead letter instead of leaving a second,
  // unlinked one beside a row that only reads "replayed".
  const replayed = await db
    .select({ id: deadLetters.id })
    .from(deadLetters)
    .where(
      and(
        entry.tenantId ? eq(deadLetters.tenantId, entry.tenantId) : isNull(deadLetters.tenantId),
        eq(deadLetters.queue, entry.queue),
        isNotNull(deadLetters.replayedAt),
        eq(deadLetters.body, entry.body)
      )
    )
    .get()
  if (replayed) {
    await db
      .update(deadLetters)
      .set({ replayedAt: null, error: entry.error, attempts: sql`${deadLetters.attempts} + ${entry.attempts}` })
      .where(eq(deadLetters.id, replayed.id))
    return
  }
  await db.insert(deadLetters).values({
    id: randomId('dl'),
    tenantId: entry.tenantId ?? null,
    queue: entry.queue,
    body: entry.body,
    error: entry.error,
    attempts: entry.attempts,
    createdAt: nowIso(),
  })
}

/** Runs each message of a batch on its own, so one failure never retries its neighbours. */
export async function consumeEach<Body>(options: {
  batch: MessageBatch<Body>
  db: Database
  queue: string
  baseDelaySeconds: number
  handle: (body: Body) => Promise<void>
  tenantOf?: (body: Body) => Promise<string | null>
  /** Runs once a message is given up on, e.g. to mark its sync job failed. */
  onDeadLetter?: (body: Body, error: string) => Promise<void>
}) {
  const { batch, db, queue } = options
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await options.handle(message.body)
        message.ack()
      } catch (error) {
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
        const final = error instanceof FinalError || message.attempts >= MAX_ATTEMPTS
        logger.warn('queue message failed', {
          queue,
          messageId: message.id,
          attempt: message.attempts,
          final,
          error: text,
        })
        if (!final) {
          const retryAfter = error instanceof RetryableError ? error.retryAfterSeconds : undefined
          message.retry({ delaySeconds: backoffSeconds(message.attempts, options.baseDelaySeconds, retryAfter) })
          return
        }
        try {
          const tenantId = options.tenantOf ? await options.tenantOf(message.body).catch(() => null) : null
          await recordDeadLetter(db, { queue, body: message.body, error: text, attempts: message.attempts, tenantId })
          await options.onDeadLetter?.(message.body, text)
          message.ack()
        } catch (recordError) {
          // D1 is unreachable: let the queue retry; past max_retries its dead-letter queue takes it.
          logger.error('could not record dead letter', { queue, messageId: message.id, error: String(recordError) })
          message.retry({ delaySeconds: backoffSeconds(message.attempts, options.baseDelaySeconds) })
        }
      }
    })
  )
}
