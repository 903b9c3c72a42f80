/**
 * The SYNC consumer: writes an order event back to the platform the order came from. The event
 * is read from D1 and the order as it stands now, so a retried `processing` after `shipped`
 * sends the current status. The write-back is one claimed step (`write-back:<event id>`, see
 * src/exactly-once/): a redelivery, the sweep and a replay racing for it find it held or done;
 * the connector's own steps run under that claim and are recorded with its verdict.
 */
import { eq, sql } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findSourceConnector } from '../connectors/registry'
import { keyringOf } from '../core/crypto'
import { FinalError, RetryableError } from '../core/errors'
import type { OrderEventInput, OrderEventType, Tracking, WriteBackResult } from '../core/model'
import type { Bindings } from '../env'
import { database, nowIso } from '../db/client'
import { loadConnection } from '../db/connections'
import { orderEvents, orders, outboundCalls } from '../db/schema'
import { claimStep } from '../exactly-once/claim-step'
import { errorText } from '../exactly-once/steps'
import { withClaim } from '../exactly-once/with-claim'
import { orderSnapshot } from '../orders/snapshot'
import type { SyncMessage } from './messages'

/**
 * Returns whether this call held the write-back (false: done already, or another holds it).
 * `onlyAtAttempts`: an operator's retry claims only the attempt it saw failed (retry-write-back.ts).
 */
export async function handleSyncMessage(
  env: Bindings,
  message: SyncMessage,
  options: { onlyAtAttempts?: number } = {}
): Promise<boolean> {
  const db = database(env.DB)
  const event = await db.select().from(orderEvents).where(eq(orderEvents.id, message.eventId)).get()
  if (!event) throw new FinalError(`order event ${message.eventId} not found`)
  const order = await orderSnapshot(db, event.orderId)
  if (!order) throw new FinalError(`order ${event.orderId} not found`)
  const connection = await loadConnection(db, keyringOf(env), order.connectionId)
  if (!connection) throw new FinalError(`connection ${order.connectionId} of order ${order.id} is gone`)
  const connector = findSourceConnector(connection.platform)
  const action = `write-back:${event.type}`
  const scope = { tenantId: order.tenantId, connectionId: connection.id, orderId: order.id, action }

  const claimed = await claimStep(db, { ...scope, stepKey: `write-back:${event.id}` }, options)
  if (claimed.kind === 'settled') return false
  if (claimed.kind === 'busy') {
    // An operator's retry does not wait for another holder; a queued message comes back later.
    if (options.onlyAtAttempts !== undefined) return false
    throw new RetryableError(`the write-back of ${event.id} is in progress elsewhere`, claimed.retryAfterSeconds)
  }

  const writeBack = connector?.writeBack
  const data = (event.data ?? {}) as Record<string, unknown> & { tracking?: Tracking[] }
  const input: OrderEventInput = {
    type: event.type as OrderEventType,
    message: event.message,
    tracking: data.tracking,
    data,
  }
  await withClaim(
    db,
    { table: outboundCalls, id: claimed.id, claim: claimed.claim, firstAttempt: claimed.attempts === 1 },
    {
      run: async (held): Promise<WriteBackResult> =>
        writeBack
          ? writeBack.call(
              connector,
              connectorContext(env, connector, connection, db),
              order,
              input,
              held.steps({ ...scope, owner: `event:${event.id}` })
            )
          : { result: 'not_applicable', detail: `${connection.platform} takes no write-back` },
      settle: (outcome) => ({
        set: { result: outcome.result, detail: outcome.detail?.slice(0, 2000) ?? null, at: nowIso() },
        with: (released) =>
          outcome.result === 'done' && outcome.platformStatus !== undefined
            ? [
                db
                  .update(orders)
                  .set({ platformStatus: outcome.platformStatus, revision: sql`${orders.revision} + 1` })
                  .where(sql`${orders.id} = ${order.id} and ${released}`),
              ]
            : [],
      }),
      fail: (error) => ({ set: { result: 'failed', detail: errorText(error), at: nowIso() } }),
    }
  )
  return true
}
