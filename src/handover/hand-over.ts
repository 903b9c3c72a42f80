/**
 * Use case: hand an order to its destination (WM1, PL1). The row is claimed only while it is
 * `pending` or `failed` AND the source has not cancelled its order (`cancelled`, or
 * `cancel_requested` while another destination is asked to cancel it), so a replayed dead letter
 * never ships an order cancelled meanwhile; a `failed` hand-over runs again when the order changes
 * (e.g. the shop fixed the address) or is replayed. The destination's answer, the row's new state
 * and the `handed_over` event are written in one batch with the release
 * (src/exactly-once/with-claim.ts).
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { HandoverOutcome } from '../connectors/types'
import { FinalError } from '../core/errors'
import type { OrderEventInput } from '../core/model'
import { SOURCE_CANCELLED_STATUSES } from '../core/order-status'
import type { Bindings } from '../env'
import { database, nowIso } from '../db/client'
import { handovers, orders } from '../db/schema'
import { errorText } from '../exactly-once/steps'
import { type Settlement, transition, withClaim } from '../exactly-once/with-claim'
import { claimHandover, outboundCallOf } from './claim'
import { claimedDestinationContext, handoverEvents } from './destination'

/** A destination's refusal of an address names it so: the order gets an address_error (WM1). */
const ADDRESS_ERROR = /^address_error:\s*/

const notCancelled = (orderId = handovers.orderId) =>
  sql`not exists (select 1 from ${orders} where ${orders.id} = ${orderId} and ${inArray(orders.status, [...SOURCE_CANCELLED_STATUSES])})`

export const HANDOVER_CLAIMABLE = and(inArray(handovers.state, ['pending', 'failed']), notCancelled())!

/**
 * Returns whether this call held the hand-over (false: nothing to do, or not claimable now).
 * `onlyAtAttempts`: an operator's retry claims only the attempt it saw failed (retry.ts).
 */
export async function runHandover(
  env: Bindings,
  handoverId: string,
  options: { leaseMs?: number; onlyAtAttempts?: number } = {}
): Promise<boolean> {
  const db = database(env.DB)
  const claimable =
    options.onlyAtAttempts === undefined
      ? HANDOVER_CLAIMABLE
      : and(HANDOVER_CLAIMABLE, eq(handovers.attempts, options.onlyAtAttempts))!
  const claimed = await claimHandover(env, db, handoverId, claimable, { countAttempt: true, leaseMs: options.leaseMs })
  if (!claimed) return false
  const { claim, row, destination, order, version } = claimed
  const platform = destination?.connection.platform ?? 'destination'
  const call = outboundCallOf(row, `handover:${platform}`)
  try {
    await withClaim(
      db,
      { table: handovers, id: row.id, claim, firstAttempt: row.attempts === 1 },
      {
        async run(held) {
          if (!destination) throw new FinalError(`destination connection ${row.destinationId} no longer exists`)
          if (!order) throw new FinalError(`order ${row.orderId} of hand-over ${row.id} not found`)
          const { connection, connector } = destination
          return connector.handOver(
            claimedDestinationContext(env, db, destination, claimed.sessionState),
            order,
            { attempt: row.attempts, details: row.details },
            held.steps({
              tenantId: row.tenantId,
              connectionId: connection.id,
              orderId: row.orderId,
              owner: `handover:${row.id}`,
              action: `handover:${connection.platform}`,
            })
          )
        },
        settle: (outcome: HandoverOutcome): Settlement => ({
          // A cancellation requested while the call ran keeps its state; the row learns its reference.
          set: {
            state: sql`case when ${handovers.state} in ('pending', 'failed') then ${outcome.state} else ${handovers.state} end`,
            reference: outcome.reference,
            details: { ...row.details, ...outcome.details },
            lastError: null,
            sentVersion: version,
            updatedAt: nowIso(),
          },
          calls: [call(outcome.state, `${outcome.reference}${outcome.detail ? `: ${outcome.detail}` : ''}`)],
          ...(outcome.state === 'confirmed'
            ? handoverEvents(
                env,
                db,
                row,
                [
                  [
                    'confirmed',
                    {
                      type: 'handed_over',
                      message: outcome.detail ?? `handed over to ${platform}`,
                      data: { destination: row.destinationId, reference: outcome.reference },
                    },
                  ],
                ],
                'confirmed'
              )
            : {}),
        }),
        fail(error) {
          const message = errorText(error).replace(/^\w*Error: /, '')
          if (!(error instanceof FinalError))
            return { set: { lastError: message, updatedAt: nowIso() }, calls: [call('failed', message)] }
          return {
            set: { state: 'failed', lastError: message, sentVersion: version, updatedAt: nowIso() },
            calls: [call('failed', message)],
            ...handoverEvents(env, db, row, failureEvents(message, `failed:${row.attempts}`)),
          }
        },
      }
    )
  } catch (error) {
    // Refused for good: recorded as `failed` with its event; a change of the order runs it again.
    if (error instanceof FinalError) return true
    throw error
  }
  return true
}

function failureEvents(message: string, key: string): [string, OrderEventInput][] {
  const events: [string, OrderEventInput][] = []
  if (ADDRESS_ERROR.test(message))
    events.push([`${key}:address_error`, { type: 'address_error', message: message.replace(ADDRESS_ERROR, '') }])
  events.push([key, { type: 'handover_failed', message }])
  return events
}

/** A hand-over the queue gave up on becomes `handover_failed`, visible on the order. */
export async function giveUpHandover(env: Bindings, handoverId: string, error: string) {
  const db = database(env.DB)
  const row = await db.select().from(handovers).where(eq(handovers.id, handoverId)).get()
  if (!row || row.state !== 'pending') return
  const message = `gave up after ${row.attempts} attempts: ${error}`
  await transition(
    db,
    { table: handovers, id: row.id, claimable: eq(handovers.state, 'pending') },
    {
      set: { state: 'failed', lastError: message.slice(0, 2000), updatedAt: nowIso() },
      ...handoverEvents(env, db, row, failureEvents(message, `failed:${row.attempts}`)),
    }
  )
}
