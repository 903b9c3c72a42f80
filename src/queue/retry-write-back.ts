/**
 * An operator's retry of one failed write-back (the dashboard's order page and
 * POST /api/v1/orders/{id}/write-backs/{eventId}/retry): it runs now, in the request, through the
 * SYNC consumer's own claim. Only a write-back that failed is retried, and only the attempt the
 * operator saw: the claim is a compare-and-set on the step row's result and attempt count, so
 * two clicks on one page (or two operators) run it once, and the second is told why not.
 */
import { and, eq } from 'drizzle-orm'
import { ApiError } from '../core/errors'
import type { Database } from '../db/client'
import { outboundCalls } from '../db/schema'
import type { Bindings } from '../env'
import { handleSyncMessage } from './sync'

export type WriteBackRetry = { eventId: string; result: string; detail: string | null; attempts: number }

async function writeBackStep(db: Database, tenantId: string, orderId: string, eventId: string) {
  return db
    .select({ result: outboundCalls.result, detail: outboundCalls.detail, attempts: outboundCalls.attempts })
    .from(outboundCalls)
    .where(
      and(
        eq(outboundCalls.stepKey, `write-back:${eventId}`),
        eq(outboundCalls.tenantId, tenantId),
        eq(outboundCalls.orderId, orderId)
      )
    )
    .get()
}

export async function retryWriteBack(
  env: Bindings,
  db: Database,
  input: { tenantId: string; orderId: string; eventId: string; seenAttempts?: number }
): Promise<WriteBackRetry> {
  const step = await writeBackStep(db, input.tenantId, input.orderId, input.eventId)
  if (!step) throw new ApiError(404, 'not_found', 'no write-back of this event on this order')
  if (step.result !== 'failed')
    throw new ApiError(409, 'not_failed', `the write-back is ${step.result}, not failed: nothing to retry`)
  const attempts = input.seenAttempts ?? step.attempts
  if (attempts !== step.attempts)
    throw new ApiError(409, 'retried_meanwhile', `the write-back was tried again meanwhile (attempt ${step.attempts})`)
  let ran: boolean | undefined
  try {
    ran = await handleSyncMessage(env, { type: 'write-back', eventId: input.eventId }, { onlyAtAttempts: attempts })
  } catch {
    // A failure of the call is recorded on the step row, which is read back below.
  }
  const after = (await writeBackStep(db, input.tenantId, input.orderId, input.eventId))!
  // A thrown claim (held elsewhere) counts no attempt; a thrown call does.
  if (ran === false || (ran === undefined && after.attempts === attempts))
    throw new ApiError(409, 'already_retried', 'this attempt is being retried already, or was')
  return { eventId: input.eventId, ...after }
}
