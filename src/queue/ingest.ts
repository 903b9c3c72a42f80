/**
 * The INGEST consumer: turns stored webhook deliveries and poll/backfill pages into hub data.
 * Platform I/O happens here, never in webhook intake. Each kind of message has its own module;
 * this one only routes them, and says what a given-up message leaves visible.
 */
import { and, eq } from 'drizzle-orm'
import type { Bindings } from '../env'
import { database, nowIso } from '../db/client'
import { inbox } from '../db/schema'
import { logFailedDelivery } from './failed-delivery'
import { importDelivery } from './ingest-delivery'
import { finishJob, importPage } from './ingest-page'
import type { IngestMessage } from './messages'

export async function handleIngestMessage(env: Bindings, message: IngestMessage) {
  const db = database(env.DB)
  switch (message.type) {
    case 'page':
      return importPage(env, db, message)
    case 'webhook':
    case 'delivery':
      return importDelivery(env, db, message)
  }
}

/**
 * When a page message is dead-lettered, its job is marked failed so operators see it; a webhook's
 * inbox row is marked so the cron's sweep leaves it to the operator's replay.
 */
export async function failIngestJob(env: Bindings, message: IngestMessage, error: string) {
  const db = database(env.DB)
  switch (message.type) {
    case 'page':
      return finishJob(db, message.jobId, 'failed', error)
    case 'webhook':
      await logFailedDelivery(db, message, error)
      await db.update(inbox).set({ deadLetteredAt: nowIso() }).where(eq(inbox.id, message.inboxId))
      return
    case 'delivery':
      await logFailedDelivery(db, message, error)
      await db
        .update(inbox)
        .set({ deadLetteredAt: nowIso() })
        .where(and(eq(inbox.connectionId, message.connectionId), eq(inbox.deliveryKey, message.deliveryKey)))
      return
  }
}
