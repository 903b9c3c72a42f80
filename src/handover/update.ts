/**
 * Use case: send a platform change of an order on to the destination that holds it. Each
 * version of the order (destination.ts: its change time and content hash) is sent once: the
 * step is keyed by it, and the row keeps the version the destination last got (or refused), so
 * the second and every later change go out, and the cron sweeps a change whose message was lost.
 * A `failed` hand-over is handed over again instead: the change may be the fix (an address).
 */
import { eq, inArray } from 'drizzle-orm'
import type { Bindings } from '../env'
import { database, nowIso } from '../db/client'
import { handovers } from '../db/schema'
import { errorText } from '../exactly-once/steps'
import { withClaim } from '../exactly-once/with-claim'
import { claimHandover, outboundCallOf } from './claim'
import { claimedDestinationContext, referenceOf } from './destination'
import { runHandover } from './hand-over'

export async function runUpdate(env: Bindings, handoverId: string) {
  const db = database(env.DB)
  const current = await db.select({ state: handovers.state }).from(handovers).where(eq(handovers.id, handoverId)).get()
  if (current?.state === 'failed' || current?.state === 'pending') return runHandover(env, handoverId)
  const claimed = await claimHandover(env, db, handoverId, inArray(handovers.state, ['sent', 'confirmed']), {
    countAttempt: false,
  })
  if (!claimed) return
  const { claim, row, destination, order, version } = claimed
  const platform = destination?.connection.platform ?? 'destination'
  const call = outboundCallOf(row, `update:${platform}`)
  await withClaim(
    db,
    { table: handovers, id: row.id, claim, firstAttempt: false },
    {
      async run(held) {
        // This version is at the destination already, or there is nothing to send it to.
        if (!destination || !order || !version || row.sentVersion === version) return null
        const { connection, connector } = destination
        if (!connector.update)
          return {
            result: 'not_applicable',
            detail: `${connection.platform} takes no changes after the hand-over; the change stays in the hub`,
          }
        return connector.update(
          claimedDestinationContext(env, db, destination, claimed.sessionState),
          order,
          referenceOf(row),
          held.steps({
            tenantId: row.tenantId,
            connectionId: connection.id,
            orderId: row.orderId,
            owner: `update:${row.id}:${version}`,
            action: `update:${connection.platform}`,
          })
        )
      },
      settle: (outcome) =>
        outcome
          ? { set: { sentVersion: version, updatedAt: nowIso() }, calls: [call(outcome.result, outcome.detail)] }
          : { set: {} },
      fail: (error) => ({ set: { lastError: errorText(error) }, calls: [call('failed', errorText(error))] }),
    }
  )
}
