/**
 * The cron trigger (every minute). It starts the polls that are due, so platforms that never
 * push (plentymarkets, Billbee) are read and a webhook a shop failed to deliver is still
 * imported; it starts the destinations' report polls (Wemalo's fallback, plenigo's
 * confirmations); and it sweeps up work whose queue message was lost between a D1 write and
 * the queue send: inbox rows, hand-overs, write-backs and hub webhook deliveries. It also moves
 * secrets to the newest encryption key (db/re-encrypt.ts) and prunes by retention (retention.ts).
 */
import { and, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm'
import { checkRegisteredWebhooks } from './webhook-subscriptions/health-check'
import { keyringOf } from './core/crypto'
import { reEncryptBatch } from './db/re-encrypt'
import { pruneExpired } from './retention'
import { findConnector, findSourceConnector } from './connectors/registry'
import { logger } from './core/logger'
import type { Bindings } from './env'
import { type Database, database } from './db/client'
import {
  connections,
  handovers,
  inbox,
  orderEvents,
  orders,
  outboundCalls,
  syncCursors,
  syncJobs,
  webhookDeliveries,
} from './db/schema'
import { orderVersion } from './handover/destination'
import { queueWriteBack } from './orders/record-event'
import type { DispatchMessage } from './queue/messages'
import { startSync } from './polling/start-sync-job'

const DEFAULT_POLL_MINUTES = 5
/** A poll still marked running after this long is considered lost and started again. */
const STALE_RUN_MINUTES = 30
/** Work older than this without progress lost its queue message (queue retries take under 3 minutes). */
const LOST_AFTER_MS = 5 * 60_000
const SWEEP_LIMIT = 100

export async function runCron(env: Bindings, now = new Date()) {
  const db = database(env.DB)
  await startDuePolls(env, db, now)
  await startDestinationPolls(env, db, now)
  await sweepInbox(env, db, now)
  await sweepHandovers(env, db, now)
  await sweepWriteBacks(env, db, now)
  await sweepHubDeliveries(env, db, now)
  await checkRegisteredWebhooks(env, db, now)
  // Issue 10: secrets move to the newest key, and old bodies and log lines go (bounded batches).
  await reEncryptBatch(db, keyringOf(env))
  await pruneExpired(db, now)
}

function pollMinutes(platform: string, settings: unknown, connectionId: string): number | null {
  const connector = findConnector(platform)
  if (!connector) return null
  try {
    return connector.pollIntervalMinutes?.(connector.settingsSchema.parse(settings)) ?? DEFAULT_POLL_MINUTES
  } catch {
    logger.warn('connection settings no longer valid; poll skipped', { connectionId })
    return null
  }
}

async function startDuePolls(env: Bindings, db: Database, now: Date) {
  const rows = await db
    .select({
      id: connections.id,
      tenantId: connections.tenantId,
      platform: connections.platform,
      settings: connections.settings,
      createdAt: connections.createdAt,
      cursor: syncCursors.cursor,
      lastStarted: sql<
        string | null
      >`(select max(${syncJobs.startedAt}) from ${syncJobs} where ${syncJobs.connectionId} = ${connections.id} and ${syncJobs.mode} = 'poll')`,
      running: sql<number>`(select count(*) from ${syncJobs} where ${syncJobs.connectionId} = ${connections.id} and ${syncJobs.mode} = 'poll' and ${syncJobs.status} = 'running' and ${syncJobs.startedAt} > ${new Date(now.getTime() - STALE_RUN_MINUTES * 60_000).toISOString()})`,
    })
    .from(connections)
    .leftJoin(syncCursors, and(eq(syncCursors.connectionId, connections.id), eq(syncCursors.kind, 'poll')))
    .where(isNull(connections.deletedAt))

  for (const row of rows) {
    if (!findSourceConnector(row.platform)?.fetchPage || row.running > 0) continue
    const minutes = pollMinutes(row.platform, row.settings, row.id)
    if (minutes === null) continue
    const due = !row.lastStarted || Date.parse(row.lastStarted) + minutes * 60_000 <= now.getTime() + 5_000
    if (!due) continue
    await startSync(db, env.INGEST, row, 'poll', row.cursor ?? row.createdAt)
  }
}

/**
 * One report poll per destination and interval; the cursor row's compare-and-set keeps it single.
 * A warehouse destination's products are sent on the same schedule (besides after each import
 * that brought products), so a lost message or a failed run is made good within one interval.
 */
async function startDestinationPolls(env: Bindings, db: Database, now: Date) {
  const rows = await db
    .select({ id: connections.id, platform: connections.platform, settings: connections.settings })
    .from(connections)
    .where(isNull(connections.deletedAt))
  for (const row of rows) {
    const connector = findConnector(row.platform)
    if (connector?.role !== 'destination' || !(connector.pollReports || connector.products)) continue
    const minutes = pollMinutes(row.platform, row.settings, row.id)
    if (minutes === null) continue
    const dueBefore = new Date(now.getTime() - minutes * 60_000 + 5_000).toISOString()
    const claimed = await db
      .insert(syncCursors)
      .values({ connectionId: row.id, kind: 'reports', cursor: now.toISOString(), updatedAt: now.toISOString() })
      .onConflictDoUpdate({
        target: [syncCursors.connectionId, syncCursors.kind],
        set: { cursor: now.toISOString(), updatedAt: now.toISOString() },
        setWhere: sql`${syncCursors.cursor} <= ${dueBefore}`,
      })
      .returning({ connectionId: syncCursors.connectionId })
    if (!claimed.length) continue
    if (connector.pollReports)
      await env.DISPATCH.send({ type: 'destination-poll', connectionId: row.id } satisfies DispatchMessage)
    if (connector.products)
      await env.DISPATCH.send({ type: 'warehouse-products', destinationId: row.id } satisfies DispatchMessage)
  }
}

/** Inbox rows stored but never imported (the isolate died before the queue send, or the send failed). */
async function sweepInbox(env: Bindings, db: Database, now: Date) {
  const lost = await db
    .select({ id: inbox.id })
    .from(inbox)
    .where(
      and(
        isNull(inbox.processedAt),
        isNull(inbox.deadLetteredAt),
        lt(inbox.receivedAt, new Date(now.getTime() - LOST_AFTER_MS).toISOString())
      )
    )
    .limit(SWEEP_LIMIT)
  if (lost.length) await env.INGEST.sendBatch(lost.map((row) => ({ body: { type: 'webhook', inboxId: row.id } })))
}

/**
 * Hand-overs and cancellations that have not moved for a while and are not being worked on, and
 * hand-overs whose order changed since the destination got it (a lost `update` message, or a
 * `failed` hand-over whose order was fixed). A `cancel_failed` one is left to an operator's replay.
 */
async function sweepHandovers(env: Bindings, db: Database, now: Date) {
  const before = new Date(now.getTime() - LOST_AFTER_MS).toISOString()
  const free = or(isNull(handovers.leaseUntil), lt(handovers.leaseUntil, now.toISOString()))
  const stuck = await db
    .select({ id: handovers.id, state: handovers.state })
    .from(handovers)
    .where(and(inArray(handovers.state, ['pending', 'cancel_requested']), lt(handovers.updatedAt, before), free))
    .limit(SWEEP_LIMIT)
  const changed = await db
    .select({ id: handovers.id })
    .from(handovers)
    .innerJoin(orders, eq(orders.id, handovers.orderId))
    .where(
      and(
        inArray(handovers.state, ['sent', 'confirmed', 'failed']),
        isNotNull(handovers.sentVersion),
        ne(handovers.sentVersion, orderVersion),
        lt(orders.changedAt, before),
        free
      )
    )
    .limit(SWEEP_LIMIT)
  const messages: DispatchMessage[] = [
    ...stuck.map((row) => ({
      type: row.state === 'pending' ? ('handover' as const) : ('cancel' as const),
      handoverId: row.id,
    })),
    ...changed.map((row) => ({ type: 'update' as const, handoverId: row.id })),
  ]
  if (messages.length) await env.DISPATCH.sendBatch(messages.map((body) => ({ body })))
}

/**
 * Write-backs whose queue message was lost: events never queued (recorded before their queueing
 * was part of the event's batch), and events queued more than a minute ago (within a day) whose
 * write-back never ran, i.e. have no `write-back:<event id>` claim (src/queue/sync.ts).
 */
async function sweepWriteBacks(env: Bindings, db: Database, now: Date) {
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString()
  const unqueued = await db
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(and(isNull(orderEvents.syncQueuedAt), ne(orderEvents.source, 'platform'), lt(orderEvents.at, minuteAgo)))
    .limit(SWEEP_LIMIT)
  for (const event of unqueued) await queueWriteBack(db, env.SYNC, event.id)
  const neverRan = await db
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(
      and(
        gt(orderEvents.syncQueuedAt, new Date(now.getTime() - 24 * 3600_000).toISOString()),
        lt(orderEvents.syncQueuedAt, minuteAgo),
        ne(orderEvents.source, 'platform'),
        sql`not exists (select 1 from ${outboundCalls} where ${outboundCalls.stepKey} = 'write-back:' || ${orderEvents.id})`
      )
    )
    .limit(SWEEP_LIMIT)
  if (neverRan.length)
    await env.SYNC.sendBatch(neverRan.map((event) => ({ body: { type: 'write-back' as const, eventId: event.id } })))
}

/** Deliveries never attempted: their queue message was lost after the batch that wrote them. */
async function sweepHubDeliveries(env: Bindings, db: Database, now: Date) {
  const lost = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.state, 'pending'),
        eq(webhookDeliveries.attempts, 0),
        lt(webhookDeliveries.createdAt, new Date(now.getTime() - LOST_AFTER_MS).toISOString())
      )
    )
    .limit(SWEEP_LIMIT)
  if (lost.length) {
    await env.DISPATCH.sendBatch(
      lost.map((row) => ({ body: { type: 'hub-delivery', deliveryId: row.id } satisfies DispatchMessage }))
    )
  }
}
