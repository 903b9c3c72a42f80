/**
 * The SYNC consumer: writes an order event back to the platform the order came from. The event
 * is read from D1 and the order as it stands now, so a retried `processing` after `shipped`
 * sends the current status. Each outbound step is recorded under (event, step) and skipped when
 * a retry finds it done; the write-back's verdict is an `outbound_calls` row as well.
 */
import { eq, sql } from 'drizzle-orm'
import { connectorContext } from '../connectors/context'
import { findSourceConnector } from '../connectors/registry'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import type { OrderEventInput, OrderEventType, Tracking } from '../core/model'
import type { Bindings } from '../env'
import { database } from '../db/client'
import { loadConnection } from '../db/connections'
import { orderEvents, orders } from '../db/schema'
import { outboundSteps, recordOutboundCall } from '../orders/outbound-steps'
import { orderSnapshot } from '../orders/snapshot'
import type { SyncMessage } from './messages'

export async function handleSyncMessage(env: Bindings, message: SyncMessage) {
  const db = database(env.DB)
  const event = await db.select().from(orderEvents).where(eq(orderEvents.id, message.eventId)).get()
  if (!event) throw new FinalError(`order event ${message.eventId} not found`)
  const order = await orderSnapshot(db, event.orderId)
  if (!order) throw new FinalError(`order ${event.orderId} not found`)
  const connection = await loadConnection(db, keyringOf(env), order.connectionId)
  if (!connection) throw new FinalError(`connection ${order.connectionId} of order ${order.id} is gone`)
  const connector = findSourceConnector(connection.platform)
  const action = `write-back:${event.type}`
  const verdict = (result: string, detail: string | null) =>
    recordOutboundCall(db, {
      tenantId: order.tenantId,
      connectionId: connection.id,
      orderId: order.id,
      action,
      result,
      detail,
    })

  if (!connector?.writeBack) {
    await verdict('not_applicable', `${connection.platform} takes no write-back`)
    return
  }
  const data = (event.data ?? {}) as Record<string, unknown> & { tracking?: Tracking[] }
  const input: OrderEventInput = {
    type: event.type as OrderEventType,
    message: event.message,
    tracking: data.tracking,
    data,
  }
  const steps = outboundSteps(db, {
    tenantId: order.tenantId,
    connectionId: connection.id,
    orderId: order.id,
    owner: `event:${event.id}`,
    action,
  })
  let outcome
  try {
    outcome = await connector.writeBack(connectorContext(env, connector, connection, db), order, input, steps)
  } catch (error) {
    await verdict('failed', error instanceof Error ? error.message : String(error))
    throw error
  }
  if (outcome.result === 'done' && outcome.platformStatus !== undefined) {
    // A change of the order like any other: the revision moves, so no import plans from the old status.
    await db
      .update(orders)
      .set({ platformStatus: outcome.platformStatus, revision: sql`${orders.revision} + 1` })
      .where(eq(orders.id, order.id))
  }
  await verdict(outcome.result, outcome.detail ?? null)
}
