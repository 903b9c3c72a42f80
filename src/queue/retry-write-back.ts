/**
 * An operator's retry of one failed write-back (the dashboard's order page and
 * POST /api/v1/orders/{id}/write-backs/{eventId}/retry), through the SYNC consumer's own claim
 * (a compare-and-set on the step row's result and attempt count); see
 * src/exactly-once/retry-failed.ts.
 */
import { and, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { outboundCalls } from '../db/schema'
import type { Bindings } from '../env'
import { retryFailedStep } from '../exactly-once/retry-failed'
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
  const step = await retryFailedStep({
    what: 'write-back',
    read: () => writeBackStep(db, input.tenantId, input.orderId, input.eventId),
    stateOf: (row) => ({ state: row.result, attempts: row.attempts }),
    seenAttempts: input.seenAttempts,
    run: (attempts) =>
      handleSyncMessage(env, { type: 'write-back', eventId: input.eventId }, { onlyAtAttempts: attempts }),
  })
  return { eventId: input.eventId, ...step }
}
