/**
 * The INGEST consumer: turns stored webhook deliveries and poll/backfill pages into hub data.
 * Platform I/O happens here, never in webhook intake. Each page enqueues the next one, so a
 * large shop's backfill is many short invocations instead of one that runs out of limits.
 */
import { and, eq, sql } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findConnector } from '../connectors/registry'
import type { ConnectorContext, SourceConnector } from '../connectors/types'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import type { ImportNote, ImportRecord } from '../core/model'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, database, nowIso } from '../db/client'
import { type LoadedConnection, loadConnection } from '../db/connections'
import { inbox, syncCursors, syncJobs, tenants } from '../db/schema'
import { recordReports } from '../handover/record-reports'
import { type FollowUps, importRecords, type ImportSummary } from '../import/import-records'
import { orderSnapshot } from '../orders/snapshot'
import { logFailedDelivery } from './failed-delivery'
import { randomId } from '../core/ids'
import type { DeliveryMessage, DispatchMessage, IngestMessage, PageMessage, WebhookMessage } from './messages'

type InboxRow = typeof inbox.$inferSelect

type Loaded = {
  connection: LoadedConnection
  connector: SourceConnector
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed by the connector's own schemas
  context: ConnectorContext<any, any>
  tenantCurrency: string
}

async function loadForImport(env: Bindings, db: Database, connection: LoadedConnection): Promise<Loaded> {
  const connector = findConnector(connection.platform)
  if (!connector) throw new FinalError(`no connector for platform ${connection.platform}`)
  if (connector.role !== 'source') throw new FinalError(`${connection.platform} is not a source of orders`)
  const tenant = await db
    .select({ currency: tenants.currency })
    .from(tenants)
    .where(eq(tenants.id, connection.tenantId))
    .get()
  if (!tenant) throw new FinalError(`tenant of connection ${connection.id} is missing`)
  return {
    connection,
    connector,
    context: connectorContext(env, connector, connection, db),
    tenantCurrency: tenant.currency,
  }
}

/** Queues what an import wrote as pending work; a lost send is picked up by the cron's sweep. */
export async function queueFollowUps(env: Bindings, followUps: FollowUps) {
  const messages: MessageSendRequest<DispatchMessage>[] = [
    ...followUps.handoverIds.map((handoverId) => ({ body: { type: 'handover' as const, handoverId } })),
    ...followUps.cancelHandoverIds.map((handoverId) => ({ body: { type: 'cancel' as const, handoverId } })),
    ...followUps.changedHandoverIds.map((handoverId) => ({ body: { type: 'update' as const, handoverId } })),
    ...followUps.deliveryIds.map((deliveryId) => ({ body: { type: 'hub-delivery' as const, deliveryId } })),
    ...followUps.productDestinationIds.map((destinationId) => ({
      body: { type: 'warehouse-products' as const, destinationId },
    })),
  ]
  // A queue batch holds at most 100 messages.
  for (let start = 0; start < messages.length; start += 100) {
    await env.DISPATCH.sendBatch(messages.slice(start, start + 100))
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
      takesWebhooks: Boolean(connector.verifyWebhook),
      policy: connector.importPolicy,
      routes: connection.routes,
    },
    records,
    notes
  )
  // Hand-overs and hub events are rows already; queue them before any hook can fail.
  await queueFollowUps(env, summary.followUps)
  if (connector.afterOrderImported) {
    for (const outcome of summary.orders) {
      if (outcome.result !== 'created' && outcome.result !== 'updated' && outcome.result !== 'unchanged') continue
      // Called for unchanged orders too: when the hook failed last time, the retried import finds
      // the order unchanged, and the hook must still run (e.g. BB7's tag, or the order is read again).
      const snapshot = await orderSnapshot(db, outcome.orderId)
      if (snapshot) await connector.afterOrderImported(context, snapshot, outcome.result)
    }
  }
  return summary
}

/** Stores a delivery carried in its message; null when the inbox has it processed already (a duplicate). */
async function storeDelivery(db: Database, message: DeliveryMessage): Promise<InboxRow | null> {
  const row = {
    id: randomId('inb'),
    connectionId: message.connectionId,
    deliveryKey: message.deliveryKey,
    topic: message.topic,
    body: message.body,
    receivedAt: message.receivedAt,
  }
  const stored = await db.insert(inbox).values(row).onConflictDoNothing().returning()
  if (stored.length) return stored[0]
  const earlier = await db
    .select()
    .from(inbox)
    .where(and(eq(inbox.connectionId, message.connectionId), eq(inbox.deliveryKey, message.deliveryKey)))
    .get()
  // Processed already: a duplicate. Not yet: an earlier attempt stopped half-way; carry on with it.
  return earlier && !earlier.processedAt ? earlier : null
}

async function handleWebhook(env: Bindings, db: Database, message: WebhookMessage | DeliveryMessage) {
  const event =
    message.type === 'delivery'
      ? await storeDelivery(db, message)
      : await db.select().from(inbox).where(eq(inbox.id, message.inboxId)).get()
  if (message.type === 'webhook' && !event) throw new FinalError(`inbox event ${message.inboxId} not found`)
  if (!event || event.processedAt) return
  const connection = await loadConnection(db, keyringOf(env), event.connectionId)
  if (!connection) {
    logger.warn('webhook for a deleted connection dropped', { inboxId: event.id, connectionId: event.connectionId })
    return
  }
  const connector = findConnector(connection.platform)
  const stored = { topic: event.topic, body: event.body, receivedAt: event.receivedAt }
  if (connector?.role === 'destination') {
    if (!connector.parseReports) throw new FinalError(`${connection.platform} sends no reports`)
    const context = connectorContext(env, connector, connection, db)
    await recordReports(env, db, connection, await connector.parseReports(stored, context))
  } else {
    const loaded = await loadForImport(env, db, connection)
    if (!loaded.connector.parseWebhook) throw new FinalError(`${connection.platform} takes no webhooks`)
    await importAndHandOn(env, db, loaded, 'webhook', await loaded.connector.parseWebhook(stored, loaded.context))
  }
  await db.update(inbox).set({ processedAt: nowIso() }).where(eq(inbox.id, event.id))
}

function laterOf(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null
  if (!b) return a
  return Date.parse(a) >= Date.parse(b) ? a : b
}

async function handlePage(env: Bindings, db: Database, message: PageMessage) {
  const connection = await loadConnection(db, keyringOf(env), message.connectionId)
  if (!connection) {
    await finishJob(db, message.jobId, 'cancelled', 'connection deleted')
    return
  }
  const loaded = await loadForImport(env, db, connection)
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
    .set({
      pages: sql`${syncJobs.pages} + 1`,
      records: sql`${syncJobs.records} + ${page.records.length}`,
      unchanged: sql`${syncJobs.unchanged} + ${summary.counts.unchanged ?? 0}`,
    })
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
  if (message.type === 'page') return handlePage(env, db, message)
  return handleWebhook(env, db, message)
}

/**
 * When a page message is dead-lettered, its job is marked failed so operators see it; a webhook's
 * inbox row is marked so the cron's sweep leaves it to the operator's replay.
 */
export async function failIngestJob(env: Bindings, message: IngestMessage, error: string) {
  const db = database(env.DB)
  if (message.type === 'page') return finishJob(db, message.jobId, 'failed', error)
  await logFailedDelivery(db, message, error)
  if (message.type === 'webhook')
    await db.update(inbox).set({ deadLetteredAt: nowIso() }).where(eq(inbox.id, message.inboxId))
  else
    await db
      .update(inbox)
      .set({ deadLetteredAt: nowIso() })
      .where(and(eq(inbox.connectionId, message.connectionId), eq(inbox.deliveryKey, message.deliveryKey)))
}
