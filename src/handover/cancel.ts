/**
 * Use case: cancel a hand-over the source cancelled (WM3). Claimed while `cancel_requested` (or
 * `cancel_failed`, for an operator's replay). The destination's answer ends the request as
 * `cancelled` or `cancel_refused`, with its event, in one batch. A cancellation that cannot be
 * sent (the destination was deleted, or it kept failing until the queue gave up) ends as
 * `cancel_failed` with a `handover_failed` event, so the sweep stops asking; a replay of its
 * dead letter tries again.
 */
import { eq, inArray } from 'drizzle-orm'
import type { CancelOutcome } from '../connectors/types'
import { FinalError } from '../core/errors'
import type { Bindings } from '../env'
import { database, nowIso } from '../db/client'
import { handovers } from '../db/schema'
import { errorText } from '../exactly-once/steps'
import { type Settlement, transition, withClaim } from '../exactly-once/with-claim'
import { claimHandover } from './claim'
import { claimedDestinationContext, handoverEvents, type HandoverRow, referenceOf } from './destination'

export async function runCancel(env: Bindings, handoverId: string) {
  const db = database(env.DB)
  const claimed = await claimHandover(
    env,
    db,
    handoverId,
    inArray(handovers.state, ['cancel_requested', 'cancel_failed']),
    { countAttempt: false }
  )
  if (!claimed) return
  const { claim, row, destination } = claimed
  const platform = destination?.connection.platform ?? 'destination'
  const call = (result: string, detail: string | null) => ({
    tenantId: row.tenantId,
    connectionId: row.destinationId,
    orderId: row.orderId,
    action: `cancel:${platform}`,
    result,
    detail,
  })
  await withClaim(
    db,
    { table: handovers, id: row.id, claim, firstAttempt: false },
    {
      async run() {
        if (!destination) throw new FinalError(`destination connection ${row.destinationId} no longer exists`)
        const context = claimedDestinationContext(env, db, destination, claimed.sessionState)
        return destination.connector.cancel(context, referenceOf(row))
      },
      settle(outcome: CancelOutcome): Settlement {
        const to = outcome.result === 'cancelled' ? 'cancelled' : 'cancel_refused'
        const detail = outcome.result === 'cancelled' ? (outcome.detail ?? null) : outcome.message
        return {
          set: { state: to, lastError: null, updatedAt: nowIso() },
          calls: [call(outcome.result, detail)],
          ...handoverEvents(env, db, row, [
            [
              to,
              outcome.result === 'cancelled'
                ? { type: 'cancelled', message: detail ?? `cancelled at ${platform}` }
                : { type: 'cancel_refused', message: `${platform}: ${outcome.message}` },
            ],
          ]),
        }
      },
      fail(error) {
        const message = errorText(error).replace(/^\w*Error: /, '')
        if (!(error instanceof FinalError))
          return { set: { lastError: message, updatedAt: nowIso() }, calls: [call('failed', message)] }
        return { ...cancelFailed(env, db, row, message), calls: [call('failed', message)] }
      },
    }
  )
}

function cancelFailed(env: Bindings, db: ReturnType<typeof database>, row: HandoverRow, message: string): Settlement {
  return {
    set: { state: 'cancel_failed', lastError: message.slice(0, 2000), updatedAt: nowIso() },
    ...handoverEvents(env, db, row, [
      [
        `cancel_failed:${Date.now()}`,
        {
          type: 'handover_failed',
          message: `the cancellation could not be sent to the destination; cancel it there: ${message}`,
        },
      ],
    ]),
  }
}

/** A cancellation the queue gave up on stops being swept; its dead letter can be replayed. */
export async function giveUpCancel(env: Bindings, handoverId: string, error: string) {
  const db = database(env.DB)
  const row = await db.select().from(handovers).where(eq(handovers.id, handoverId)).get()
  if (!row || row.state !== 'cancel_requested') return
  await transition(
    db,
    { table: handovers, id: row.id, claimable: eq(handovers.state, 'cancel_requested') },
    cancelFailed(env, db, row, `gave up: ${error}`)
  )
}
