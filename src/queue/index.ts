/**
 * The Worker's `queue` handler: routes a batch to its consumer by queue name. Dead-letter
 * queues end in the `dead_letters` table, where operators list and replay them.
 */
import { eq } from 'drizzle-orm'
import type { Bindings } from '../env'
import { database } from '../db/client'
import { connections, inbox, orders } from '../db/schema'
import { handleDispatchMessage } from './dispatch'
import { failIngestJob, handleIngestMessage } from './ingest'
import type { DispatchMessage, IngestMessage, SyncMessage } from './messages'
import { consumeEach, recordDeadLetter } from './retry'
import { handleSyncMessage } from './sync'

const QUEUES: Record<string, 'ingest' | 'dispatch' | 'sync'> = {
  'kontor-ingest': 'ingest',
  'kontor-dispatch': 'dispatch',
  'kontor-sync': 'sync',
}

/** The tenant a message belongs to, so a tenant can list its own dead letters. */
async function tenantOf(env: Bindings, body: IngestMessage | DispatchMessage | SyncMessage): Promise<string | null> {
  const db = database(env.DB)
  if (body.type === 'page') {
    const row = await db
      .select({ tenantId: connections.tenantId })
      .from(connections)
      .where(eq(connections.id, body.connectionId))
      .get()
    return row?.tenantId ?? null
  }
  if (body.type === 'webhook') {
    const row = await db
      .select({ tenantId: connections.tenantId })
      .from(inbox)
      .innerJoin(connections, eq(connections.id, inbox.connectionId))
      .where(eq(inbox.id, body.inboxId))
      .get()
    return row?.tenantId ?? null
  }
  const row = await db.select({ tenantId: orders.tenantId }).from(orders).where(eq(orders.id, body.orderId)).get()
  return row?.tenantId ?? null
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings) {
  const db = database(env.DB)
  const baseDelaySeconds = Number(env.RETRY_BASE_SECONDS ?? '5')
  const deadLetterOf = batch.queue.endsWith('-dlq') ? QUEUES[batch.queue.slice(0, -4)] : undefined
  if (deadLetterOf) {
    // Messages the consumer could not even record (e.g. D1 was down through every attempt).
    for (const message of batch.messages) {
      const body = message.body as IngestMessage
      await recordDeadLetter(db, {
        queue: deadLetterOf,
        body,
        error: 'retries exhausted',
        attempts: message.attempts,
        tenantId: await tenantOf(env, body as IngestMessage).catch(() => null),
      })
      if (deadLetterOf === 'ingest') await failIngestJob(env, body, 'retries exhausted')
      message.ack()
    }
    return
  }
  const queue = QUEUES[batch.queue]
  const common = { db, queue, baseDelaySeconds, tenantOf: (body: any) => tenantOf(env, body) }
  if (queue === 'ingest') {
    await consumeEach<IngestMessage>({
      ...common,
      batch: batch as MessageBatch<IngestMessage>,
      handle: (body) => handleIngestMessage(env, body),
      onDeadLetter: (body, error) => failIngestJob(env, body, error),
    })
  } else if (queue === 'dispatch') {
    await consumeEach<DispatchMessage>({
      ...common,
      batch: batch as MessageBatch<DispatchMessage>,
      handle: (body) => handleDispatchMessage(env, body),
    })
  } else if (queue === 'sync') {
    await consumeEach<SyncMessage>({
      ...common,
      batch: batch as MessageBatch<SyncMessage>,
      handle: (body) => handleSyncMessage(env, body),
    })
  } else {
    throw new Error(`unknown queue ${batch.queue}`)
  }
}
