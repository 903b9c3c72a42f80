/**
 * A webhook delivery in the INGEST consumer: stored in the inbox first (when intake carried it
 * whole), then imported (a source's orders) or recorded (a destination's reports), then marked
 * processed, with what it imported (the delivery log links it). A delivery whose connection was
 * deleted is marked final with the reason.
 */
import { and, eq } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findConnector } from '../connectors/registry'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import { randomId } from '../core/ids'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, nowIso } from '../db/client'
import { loadConnection } from '../db/connections'
import { type DeliveryOutcome, inbox } from '../db/schema'
import { ACCEPTED_ANSWER, acceptedStatement } from '../delivery-log/record'
import { recordReports } from '../handover/record-reports'
import { importAndHandOn, loadForImport } from './ingest-import'
import type { DeliveryMessage, DispatchMessage, WebhookMessage } from './messages'

type InboxRow = typeof inbox.$inferSelect

/**
 * Stores a delivery carried in its message, and its delivery-log row in the same batch (one round
 * trip, as before the log); null when the inbox has it processed already (a duplicate).
 */
async function storeDelivery(db: Database, message: DeliveryMessage): Promise<InboxRow | null> {
  const row = {
    id: randomId('inb'),
    connectionId: message.connectionId,
    deliveryKey: message.deliveryKey,
    topic: message.topic,
    body: message.body,
    receivedAt: message.receivedAt,
  }
  const insert = db.insert(inbox).values(row).onConflictDoNothing().returning()
  const [stored] = message.request
    ? await db.batch([
        insert,
        acceptedStatement(db, {
          connectionId: message.connectionId,
          receivedAt: message.receivedAt,
          request: message.request,
          answer: ACCEPTED_ANSWER,
          deliveryKey: message.deliveryKey,
          topic: message.topic,
        }),
      ])
    : [await insert]
  if (stored.length) return stored[0]
  const earlier = await db
    .select()
    .from(inbox)
    .where(and(eq(inbox.connectionId, message.connectionId), eq(inbox.deliveryKey, message.deliveryKey)))
    .get()
  // Processed already: a duplicate. Not yet: an earlier attempt stopped half-way; carry on with it.
  return earlier && !earlier.processedAt ? earlier : null
}

export async function importDelivery(env: Bindings, db: Database, message: WebhookMessage | DeliveryMessage) {
  const event =
    message.type === 'delivery'
      ? await storeDelivery(db, message)
      : await db.select().from(inbox).where(eq(inbox.id, message.inboxId)).get()
  if (message.type === 'webhook' && !event) throw new FinalError(`inbox event ${message.inboxId} not found`)
  if (!event || event.processedAt) return
  const connection = await loadConnection(db, keyringOf(env), event.connectionId)
  if (!connection) {
    // Final at once, with the reason: otherwise the cron's sweep sends it again every minute (finding 9).
    const reason = `connection ${event.connectionId} was deleted before this delivery was imported; nothing was imported`
    logger.warn('webhook for a deleted connection dropped', { inboxId: event.id, connectionId: event.connectionId })
    await db.update(inbox).set({ processedAt: nowIso(), finalReason: reason }).where(eq(inbox.id, event.id))
    return
  }
  const connector = findConnector(connection.platform)
  const stored = { topic: event.topic, body: event.body, receivedAt: event.receivedAt }
  let outcome: DeliveryOutcome | null = null
  if (connector?.role === 'destination') {
    if (!connector.parseReports) throw new FinalError(`${connection.platform} sends no reports`)
    const context = connectorContext(env, connector, connection, db)
    await recordReports(env, db, connection, await connector.parseReports(stored, context))
    // ST1: stock was booked (a goods receipt, a return): read it at once.
    if (connector.stockMaster?.changeTopics.includes(event.topic))
      await env.DISPATCH.send({
        type: 'stock-run',
        warehouseId: connection.id,
        mode: 'changes',
      } satisfies DispatchMessage)
  } else {
    const loaded = await loadForImport(env, db, connection)
    if (!loaded.connector.parseWebhook) throw new FinalError(`${connection.platform} takes no webhooks`)
    const records = await loaded.connector.parseWebhook(stored, loaded.context)
    const summary = await importAndHandOn(env, db, loaded, 'webhook', records)
    outcome = { orders: summary.orders.map(({ orderId, externalId, result }) => ({ orderId, externalId, result })) }
  }
  await db.update(inbox).set({ processedAt: nowIso(), outcome }).where(eq(inbox.id, event.id))
}
