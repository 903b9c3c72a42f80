/**
 * The Worker's `queue` handler: routes a batch to its consumer by queue name. Dead-letter
 * queues end in the `dead_letters` table, where operators list and replay them.
 */
import { eq } from 'drizzle-orm'
import type { Bindings } from '../env'
import { database } from '../db/client'
import { connections, handovers, inbox, orderEvents, webhookDeliveries } from '../db/schema'
import { handleDispatchMessage, onDispatchDeadLetter } from './dispatch'
import { failIngestJob, handleIngestMessage } from './ingest'
import type { DispatchMessage, IngestMessage, SyncMessage } from './messages'
import { consumeEach, recordDeadLetter } from './retry'
import { handleSyncMessage } from './sync'
import { PARKED, suspendedTenants } from '../tenants/suspension'

type Message = IngestMessage | DispatchMessage | SyncMessage
type QueuedMessage = MessageBatch<Message>['messages'][number]

/** Each queue's consumer, and what to do when one of its messages is given up on. */
const CONSUMERS: Record<
  string,
  {
    name: 'ingest' | 'dispatch' | 'sync'
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each queue's own message type
    handle: (env: Bindings, body: any) => Promise<unknown>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    onDeadLetter?: (env: Bindings, body: any, error: string) => Promise<void>
  }
> = {
  'kontor-ingest': { name: 'ingest', handle: handleIngestMessage, onDeadLetter: failIngestJob },
  'kontor-dispatch': { name: 'dispatch', handle: handleDispatchMessage, onDeadLetter: onDispatchDeadLetter },
  'kontor-sync': { name: 'sync', handle: handleSyncMessage },
}

/** The tenant a message belongs to, so a tenant can list its own dead letters. */
async function tenantOf(env: Bindings, body: Message): Promise<string | null> {
  const db = database(env.DB)
  const tenantOfConnection = async (id: string) =>
    (await db.select({ tenantId: connections.tenantId }).from(connections).where(eq(connections.id, id)).get())
      ?.tenantId
  switch (body.type) {
    case 'page':
    case 'delivery':
    case 'destination-poll':
      return (await tenantOfConnection(body.connectionId)) ?? null
    case 'warehouse-products':
      return (await tenantOfConnection(body.destinationId)) ?? null
    case 'stock-run':
    case 'stock-read':
    case 'stock-push':
    case 'stock-reconcile':
      return (await tenantOfConnection(body.warehouseId)) ?? null
    case 'webhook': {
      const row = await db
        .select({ connectionId: inbox.connectionId })
        .from(inbox)
        .where(eq(inbox.id, body.inboxId))
        .get()
      return row ? ((await tenantOfConnection(row.connectionId)) ?? null) : null
    }
    case 'handover':
    case 'cancel':
    case 'update':
      return (
        (
          await db
            .select({ tenantId: handovers.tenantId })
            .from(handovers)
            .where(eq(handovers.id, body.handoverId))
            .get()
        )?.tenantId ?? null
      )
    case 'hub-delivery':
      return (
        (
          await db
            .select({ tenantId: webhookDeliveries.tenantId })
            .from(webhookDeliveries)
            .where(eq(webhookDeliveries.id, body.deliveryId))
            .get()
        )?.tenantId ?? null
      )
    case 'write-back':
      return (
        (
          await db
            .select({ tenantId: orderEvents.tenantId })
            .from(orderEvents)
            .where(eq(orderEvents.id, body.eventId))
            .get()
        )?.tenantId ?? null
      )
  }
}

/**
 * Messages of a suspended tenant are parked (src/tenants/suspension.ts): a dead letter marked
 * PARKED, acknowledged, sent again on restore. One read per batch while no tenant is suspended.
 */
async function parkSuspendedTenantsWork(
  env: Bindings,
  queue: 'ingest' | 'dispatch' | 'sync',
  messages: readonly QueuedMessage[]
): Promise<QueuedMessage[]> {
  const db = database(env.DB)
  const suspended = await suspendedTenants(db)
  if (!suspended.size) return [...messages]
  const remaining: QueuedMessage[] = []
  for (const message of messages) {
    const tenantId = await tenantOf(env, message.body).catch(() => null)
    if (!tenantId || !suspended.has(tenantId)) {
      remaining.push(message)
      continue
    }
    await recordDeadLetter(db, { queue, body: message.body, error: PARKED, attempts: message.attempts, tenantId })
    message.ack()
  }
  return remaining
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings) {
  const db = database(env.DB)
  const deadLetterQueue = batch.queue.endsWith('-dlq')
  const consumer = CONSUMERS[deadLetterQueue ? batch.queue.slice(0, -4) : batch.queue]
  if (!consumer) throw new Error(`unknown queue ${batch.queue}`)
  if (deadLetterQueue) {
    // Messages the consumer could not even record (e.g. D1 was down through every attempt).
    for (const message of batch.messages) {
      const body = message.body as Message
      const tenantId = await tenantOf(env, body).catch(() => null)
      await recordDeadLetter(db, {
        queue: consumer.name,
        body,
        error: 'retries exhausted',
        attempts: message.attempts,
        tenantId,
      })
      await consumer.onDeadLetter?.(env, body, 'retries exhausted')
      message.ack()
    }
    return
  }
  const messages = await parkSuspendedTenantsWork(env, consumer.name, (batch as MessageBatch<Message>).messages)
  await consumeEach<Message>({
    batch: { ...(batch as MessageBatch<Message>), messages },
    db,
    queue: consumer.name,
    baseDelaySeconds: Number(env.RETRY_BASE_SECONDS ?? '5'),
    handle: async (body) => {
      await consumer.handle(env, body)
    },
    tenantOf: (body) => tenantOf(env, body),
    onDeadLetter: consumer.onDeadLetter && ((body, error) => consumer.onDeadLetter!(env, body, error)),
  })
}
