/**
 * The INGEST consumer: turns stored webhook deliveries and poll/backfill pages into hub data.
 * Platform I/O happens here, never in webhook intake. Each page enqueues the next one, so a
 * large shop's backfill is many short invocations instead of one that runs out of limits.
 */
import { eq, sql } from 'drizzle-orm'
import { connectorContext } from '../connectors/context'
import { findConnector } from '../connectors/registry'
import type { Connector, ConnectorContext } from '../connectors/types'
import { FinalError } from '../core/errors'
import type { ImportNote, ImportRecord } from '../core/model'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, database, nowIso } from '../db/client'
import { type LoadedConnection, loadConnection } from '../db/connections'
import { inbox, syncCursors, syncJobs, tenants } from '../db/schema'
import { importRecords, type ImportSummary } from '../import/import-records'
import { orderSnapshot } from '../orders/snapshot'
import type { DispatchMessage, IngestMessage, PageMessage, WebhookMessage } from './messages'

type Loaded = {
  connection: LoadedConnection
  connector: Connector<any, any>
  context: ConnectorContext<any, any>
  tenantCurrency: string
}

async function loadForImport(env: Bindings, db: Database, connectionId: string): Promise<Loaded | null> {
  const connection = await loadConnection(db, env.ENCRYPTION_KEY, connectionId)
  if (!connection) return null
  const connector = findConnector(connection.platform)
  if (!connector) throw new FinalError(`no connector for platform ${connection.platform}`)
  const tenant = await db
    .select({ currency: tenants.currency })
    .from(tenants)
    .where(eq(tenants.id, connection.tenantId))
    .get()
  if (!tenant) throw new FinalError(`tenant of connection ${connectionId} is missing`)
  return {
    connection,
    connector,
    context: connectorContext(env, connector, connection, db),
    tenantCurrency: tenant.currency,
  }
}

async function importAndHandOn(
  env: Bindings,
  db: Database,
  loaded: Loaded,
  origin: 'webhook' | 'poll' | 'backfill',
  records: ImportRecord[],
  notes?: ImportNote[]
): Promise<ImportSummary> {
  const { connection, connector, context } = loaded
  const summary = await importRecords(
    db,
    {
      tenantId: connection.tenantId,
      tenantCurrency: loaded.tenantCurrency,
      connectionId: connection.id,
      platform: connection.platform,
      settings: context.settings,
      origin,
      ignoresChangesAfterNew: connector.ignoresChangesAfterNew,
      importsOnce: connector.importsOnce,
      cancellationsAreRequests: connector.cancellationsAreRequests,
      rejectsDuplicateProductCodes: connector.rejectsDuplicateProductCodes,
    },
    records,
    notes
  )
  for (const outcome of summary.orders) {
    if (outcome.result !== 'created' && outcome.result !== 'updated' && outcome.result !== 'unchanged') continue
    // Called for unchanged orders too: when the hook failed last time, the retried import finds
    // the order unchanged, and the hook must still run (e.g. BB7's tag, or the order is read again).
    if (connector.afterOrderImported) {
      const snapshot = await orderSnapshot(db, outcome.orderId)
      if (snapshot) await connector.afterOrderImported(context, snapshot, outcome.result)
    }
    if (outcome.result === 'created' && connection.routes.length) {
      const messages: MessageSendRequest<DispatchMessage>[] = connection.routes.map((destinationId) => ({
        body: { type: 'dispatch', orderId: outcome.orderId, destinationId },
      }))
      await env.DISPATCH.sendBatch(messages)
    }
  }
  return summary
}

async function handleWebhook(env: Bindings, db: Database, message: WebhookMessage) {
  const event = await db.select().from(inbox).where(eq(inbox.id, message.inboxId)).get()
  if (!event) throw new FinalError(`inbox event ${message.inboxId} not found`)
  if (event.processedAt) return
  const loaded = await loadForImport(env, db, event.connectionId)
  if (!loaded) {
    logger.warn('webhook for a deleted connection dropped', { inboxId: event.id, connectionId: event.connectionId })
    return
  }
  if (!loaded.connector.parseWebhook) throw new FinalError(`${loaded.connection.platform} takes no webhooks`)
  const records = await loaded.connector.parseWebhook(
    { topic: event.topic, body: event.body, receivedAt: event.receivedAt },
    loaded.context
  )
  await importAndHandOn(env, db, loaded, 'webhook', records)
  await db.update(inbox).set({ processedAt: nowIso() }).where(eq(inbox.id, event.id))
}

function laterOf(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null
  if (!b) return a
  return Date.parse(a) >= Date.parse(b) ? a : b
}

async function handlePage(env: Bindings, db: Database, message: PageMessage) {
  const loaded = await loadForImport(env, db, message.connectionId)
  if (!loaded) {
    await finishJob(db, message.jobId, 'cancelled', 'connection deleted')
    return
  }
  const { connector, context } = loaded
  if (!connector.fetchPage) throw new FinalError(`${loaded.connection.platform} cannot be polled`)
  const page = await connector.fetchPage(context, {
    mode: message.mode,
    pageToken: message.pageToken,
    since: message.since,
  })
  const summary = await importAndHandOn(env, db, loaded, message.mode, page.records, page.notes)
  const highWater = laterOf(message.highWater, page.highWater)
  await db
    .update(syncJobs)
    .set({ pages: sql`${syncJobs.pages} + 1`, records: sql`${syncJobs.records} + ${page.records.length}` })
    .where(eq(syncJobs.id, message.jobId))
  logger.info('page imported', {
    connectionId: message.connectionId,
    jobId: message.jobId,
    page: message.page,
    ...summary.counts,
  })

  if (page.nextPageToken) {
    await env.INGEST.send({
      ...message,
      pageToken: page.nextPageToken,
      highWater,
      page: message.page + 1,
    } satisfies PageMessage)
    return
  }
  if (message.mode === 'poll' && highWater) {
    await db
      .insert(syncCursors)
      .values({ connectionId: message.connectionId, kind: 'poll', cursor: highWater, updatedAt: nowIso() })
      .onConflictDoUpdate({
        target: [syncCursors.connectionId, syncCursors.kind],
        set: { cursor: highWater, updatedAt: nowIso() },
        // A slow run never moves the cursor back behind a faster one.
        setWhere: sql`${syncCursors.cursor} < ${highWater}`,
      })
  }
  await finishJob(db, message.jobId, 'done')
}

async function finishJob(db: Database, jobId: string, status: string, error?: string) {
  await db
    .update(syncJobs)
    .set({ status, error: error ?? null, finishedAt: nowIso() })
    .where(eq(syncJobs.id, jobId))
}

export async function handleIngestMessage(env: Bindings, message: IngestMessage) {
  const db = database(env.DB)
  if (message.type === 'webhook') return handleWebhook(env, db, message)
  return handlePage(env, db, message)
}

/** When a page message is dead-lettered, its job is marked failed so operators see it. */
export async function failIngestJob(env: Bindings, message: IngestMessage, error: string) {
  if (message.type === 'page') await finishJob(database(env.DB), message.jobId, 'failed', error)
}
