/**
 * The SYNC consumer: writes an order event back to the platform the order came from, through
 * that platform's connector, and records the call in `outbound_calls` for operators.
 */
import { eq } from 'drizzle-orm'
import { connectorContext } from '../connectors/context'
import { findConnector } from '../connectors/registry'
import { FinalError } from '../core/errors'
import { randomId } from '../core/ids'
import type { Bindings } from '../env'
import { database, nowIso } from '../db/client'
import { loadConnection } from '../db/connections'
import { orders, outboundCalls } from '../db/schema'
import { orderSnapshot } from '../orders/snapshot'
import type { SyncMessage } from './messages'

export async function handleSyncMessage(env: Bindings, message: SyncMessage) {
  const db = database(env.DB)
  const order = await orderSnapshot(db, message.orderId)
  if (!order) throw new FinalError(`order ${message.orderId} not found`)
  const connection = await loadConnection(db, env.ENCRYPTION_KEY, order.connectionId)
  if (!connection) throw new FinalError(`connection ${order.connectionId} of order ${order.id} is gone`)
  const connector = findConnector(connection.platform)
  const record = (result: string, detail: string | null) =>
    db.insert(outboundCalls).values({
      id: randomId('out'),
      tenantId: order.tenantId,
      connectionId: connection.id,
      orderId: order.id,
      action: `write-back:${message.event.type}`,
      result,
      detail,
      at: nowIso(),
    })

  if (!connector?.writeBack) {
    await record('not_applicable', `${connection.platform} takes no write-back`)
    return
  }
  try {
    const outcome = await connector.writeBack(connectorContext(env, connector, connection, db), order, message.event)
    if (outcome.result === 'done' && outcome.platformStatus !== undefined) {
      await db.update(orders).set({ platformStatus: outcome.platformStatus }).where(eq(orders.id, order.id))
    }
    await record(outcome.result, outcome.detail ?? null)
  } catch (error) {
    await record('failed', error instanceof Error ? error.message : String(error))
    throw error
  }
}
