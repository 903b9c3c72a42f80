/**
 * An operator's retry of one failed hand-over (the dashboard's order page and
 * POST /api/v1/orders/{id}/handovers/{handoverId}/retry), through the hand-over use case's own
 * claim (a compare-and-set on state and attempt count); see src/exactly-once/retry-failed.ts.
 */
import { and, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { handovers } from '../db/schema'
import type { Bindings } from '../env'
import { retryFailedStep } from '../exactly-once/retry-failed'
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
  return retryFailedStep({
    what: 'hand-over',
    read: () => handoverOfOrder(db, input.tenantId, input.orderId, input.handoverId),
    stateOf: (row) => row,
    seenAttempts: input.seenAttempts,
    run: (attempts) => runHandover(env, input.handoverId, { onlyAtAttempts: attempts }),
  })
}
