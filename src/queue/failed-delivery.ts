/**
 * A webhook delivery given up on is an import that failed: it gets an import-log line `failed`
 * with the reason in words and the delivery it was, so the operator finds it where imports are
 * listed, not only among the dead letters.
 */
import { eq } from 'drizzle-orm'
import { findConnector } from '../connectors/registry'
import { randomId } from '../core/ids'
import type { ImportKind } from '../core/model'
import { type Database, nowIso } from '../db/client'
import { connections, importLog, inbox } from '../db/schema'
import { errorInWords } from './dead-letter-context'
import type { DeliveryMessage, WebhookMessage } from './messages'

/** What a topic is about (`orders/create`, `order.updated`, `products/update` …). */
function kindOfTopic(topic: string): ImportKind {
  if (/product/i.test(topic)) return 'product'
  if (/customer/i.test(topic)) return 'customer'
  return 'order'
}

export async function logFailedDelivery(db: Database, message: WebhookMessage | DeliveryMessage, error: string) {
  const delivery =
    message.type === 'delivery'
      ? message
      : await db
          .select({ connectionId: inbox.connectionId, deliveryKey: inbox.deliveryKey, topic: inbox.topic })
          .from(inbox)
          .where(eq(inbox.id, message.inboxId))
          .get()
  if (!delivery) return
  const connection = await db
    .select({ tenantId: connections.tenantId, platform: connections.platform })
    .from(connections)
    .where(eq(connections.id, delivery.connectionId))
    .get()
  // A destination's reports are no imports; their dead letters say enough.
  if (!connection || findConnector(connection.platform)?.role !== 'source') return
  await db.insert(importLog).values({
    id: randomId('log'),
    tenantId: connection.tenantId,
    connectionId: delivery.connectionId,
    kind: kindOfTopic(delivery.topic),
    externalId: null,
    result: 'failed',
    reason: `webhook delivery ${delivery.deliveryKey} (${delivery.topic}): ${errorInWords(error)}`,
    at: nowIso(),
  })
}
