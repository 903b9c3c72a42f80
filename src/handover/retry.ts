/**
 * An operator's retry of one failed hand-over (the dashboard's order page and
 * POST /api/v1/orders/{id}/handovers/{handoverId}/retry): it runs now, in the request, through the
 * hand-over use case's own claim. Only a `failed` hand-over is retried, and only the attempt the
 * operator saw: the claim is a compare-and-set on state and attempt count, so two clicks run it
 * once and the second is told why not.
 */
import { and, eq } from 'drizzle-orm'
import { ApiError } from '../core/errors'
import type { Database } from '../db/client'
import { handovers } from '../db/schema'
import type { Bindings } from '../env'
import { runHandover } from './hand-over'

export type HandoverRetry = { id: string; state: string; lastError: string | null; attempts: number }

async function handoverOfOrder(db: Database, tenantId: string, orderId: string, id: string) {
  return db
    .select({ id: handovers.id, state: handovers.state, lastError: handovers.lastError, attempts: handovers.attempts })
    .from(handovers)
    .where(and(eq(handovers.id, id), eq(handovers.tenantId, tenantId), eq(handovers.orderId, orderId)))
    .get()
}

export async function retryHandover(
  env: Bindings,
  db: Database,
  input: { tenantId: string; orderId: string; handoverId: string; seenAttempts?: number }
): Promise<HandoverRetry> {
  const row = await handoverOfOrder(db, input.tenantId, input.orderId, input.handoverId)
  if (!row) throw new ApiError(404, 'not_found', 'no such hand-over on this order')
  if (row.state !== 'failed')
    throw new ApiError(409, 'not_failed', `the hand-over is ${row.state}, not failed: nothing to retry`)
  const attempts = input.seenAttempts ?? row.attempts
  if (attempts !== row.attempts)
    throw new ApiError(409, 'retried_meanwhile', `the hand-over was tried again meanwhile (attempt ${row.attempts})`)
  let ran: boolean | undefined
  try {
    ran = await runHandover(env, row.id, { onlyAtAttempts: attempts })
  } catch {
    // A failure of the call is recorded on the row (its last error), which is read back below.
  }
  const after = (await handoverOfOrder(db, input.tenantId, input.orderId, row.id))!
  // A thrown claim (held elsewhere) counts no attempt; a thrown call does.
  if (ran === false || (ran === undefined && after.attempts === attempts))
    throw new ApiError(409, 'already_retried', 'this attempt is being retried already, or the order was cancelled')
  return after
}
