/**
 * What each attempt of a hub delivery met (issue 18): when, the HTTP status or the network error,
 * how long it took, and the first 1 KB of the answer. And the endpoint's failure clock: an
 * endpoint failing for 5 days without a success is disabled, with the reason shown and an audit
 * row written in the same batch.
 */
import { and, eq, isNotNull, isNull, lte, sql } from 'drizzle-orm'
import { auditStatement, SYSTEM } from '../audit/audit-log'
import { randomId } from '../core/ids'
import type { Database } from '../db/client'
import { webhookDeliveryAttempts, webhookEndpoints } from '../db/schema'
import { guardStatement, isGuardFailure } from '../db/write-guard'
import { type Statement, writeBatch } from '../db/write-batch'

export const RESPONSE_BYTES_KEPT = 1024
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60_000

/** The first `limit` bytes of a body as text; the rest is not read. */
export async function readStart(body: ReadableStream<Uint8Array> | null, limit = RESPONSE_BYTES_KEPT) {
  if (!body) return null
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  const bytes = new Uint8Array(Math.min(size, limit))
  let offset = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes.byteLength - offset))
    bytes.set(part, offset)
    offset += part.byteLength
  }
  return new TextDecoder().decode(bytes)
}

export type Attempt = {
  tenantId: string
  deliveryId: string
  at: string
  status: number | null
  error: string | null
  durationMs: number
  response: string | null
}

/** The attempt's row; for a failure also the endpoint's failure clock, for a success its reset. */
export function attemptStatements(
  db: Database,
  attempt: Attempt,
  endpoint: { id: string; failingSince: string | null },
  delivered: boolean
): Statement[] {
  const statements: Statement[] = [db.insert(webhookDeliveryAttempts).values({ id: randomId('wha'), ...attempt })]
  if (!delivered && !endpoint.failingSince) {
    statements.push(
      db
        .update(webhookEndpoints)
        .set({ failingSince: attempt.at })
        .where(and(eq(webhookEndpoints.id, endpoint.id), isNull(webhookEndpoints.failingSince)))
    )
  }
  if (delivered && endpoint.failingSince) {
    statements.push(
      db
        .update(webhookEndpoints)
        .set({ failingSince: null })
        .where(and(eq(webhookEndpoints.id, endpoint.id), isNotNull(webhookEndpoints.failingSince)))
    )
  }
  return statements
}

/**
 * Disables an endpoint that has failed for 5 days (its `failingSince` as read before this failure);
 * true when it did. The guard makes a concurrent success or disable win.
 */
export async function disableIfFailingTooLong(
  db: Database,
  endpoint: { id: string; tenantId: string; failingSince: string | null },
  lastError: string,
  now = new Date()
): Promise<boolean> {
  const cutoff = new Date(now.getTime() - DISABLE_AFTER_FAILING_MS).toISOString()
  if (!endpoint.failingSince || endpoint.failingSince > cutoff) return false
  const reason = `failing since ${endpoint.failingSince} (5 days without a success); last: ${lastError}`
  try {
    await writeBatch(db, [
      guardStatement(
        db,
        sql`exists (select 1 from ${webhookEndpoints} where id = ${endpoint.id} and disabled_at is null
          and failing_since is not null and failing_since <= ${cutoff})`
      ),
      db
        .update(webhookEndpoints)
        .set({ disabledAt: now.toISOString(), disabledReason: reason })
        .where(and(eq(webhookEndpoints.id, endpoint.id), lte(webhookEndpoints.failingSince, cutoff))),
      auditStatement(db, SYSTEM, {
        tenantId: endpoint.tenantId,
        action: 'webhook_endpoint.auto_disabled',
        targetId: endpoint.id,
        details: { failingSince: endpoint.failingSince },
        at: now.toISOString(),
      }),
    ])
    return true
  } catch (error) {
    if (isGuardFailure(error)) return false
    throw error
  }
}
