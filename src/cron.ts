/**
 * The cron trigger (every minute). It starts the polls that are due, so platforms that never
 * push (plentymarkets, Billbee) are read and a webhook a shop failed to deliver is still
 * imported; it starts the destinations' report polls (Wemalo's fallback, plenigo's
 * confirmations); and it sweeps up work whose queue message was lost between a D1 write and
 * the queue send: inbox rows, hand-overs, write-backs and hub webhook deliveries. It also moves
 * secrets to the newest encryption key (db/re-encrypt.ts) and prunes by retention (retention.ts).
 */
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm'
import { checkRegisteredWebhooks } from './webhook-subscriptions/health-check'
import { keyringOf } from './core/crypto'
import { reEncryptBatch } from './db/re-encrypt'
import { pruneExpired } from './retention'
import { findConnector } from './connectors/registry'
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
import { releaseStalledBacklogs } from './hub/backlog'
import { eraseDueTenants } from './tenants/erase'
import { activeTenant, replayParkedWork } from './tenants/suspension'
import { startDueStockRuns } from './stock/schedule'

const DEFAULT_POLL_MINUTES = 5
/** A poll still marked running after this long is considered lost and started again. */
const STALE_RUN_MINUTES = 30
/** Work older than this without progress lost its queue message (queue retries take under 3 minutes). */
const LOST_AFTER_MS = 5 * 60_000
const SWEEP_LIMIT = 100
/** Polls started per tick at most; more due ones wait for the next minute, soonest due first. */
const POLL_LIMIT = 100
/** When a connection that is never polled (or whose settings no longer parse) is looked at again. */
const NOT_POLLED_RECHECK_MS = 60 * 60_000

type CronStep = { name: string; run: (env: Bindings, db: Database, now: Date) => Promise<unknown> }

/**
 * Each step runs whatever the others did: one failed queue send must not skip the sweeps, the
 * re-encryption or retention of that tick (issue 16, finding 10). A failed step is logged with its
 * name, and the tick fails at the end naming every step that failed, so the platform's cron
 * metrics show it.
 */
const STEPS: CronStep[] = [
  { name: 'start due polls', run: startDuePolls },
  { name: 'start due stock runs', run: startDueStockRuns },
  { name: 'sweep inbox', run: sweepInbox },
  { name: 'sweep hand-overs', run: sweepHandovers },
  { name: 'sweep write-backs', run: sweepWriteBacks },
  { name: 'sweep hub deliveries', run: sweepHubDeliveries },
  { name: 'check registered webhooks', run: checkRegisteredWebhooks },
  // Issue 10: secrets move to the newest key, and old bodies and log lines go (bounded batches).
  { name: 're-encrypt secrets', run: (env, db) => reEncryptBatch(db, keyringOf(env)) },
  { name: 'prune by retention', run: (_env, db, now) => pruneExpired(db, now) },
  // Issue 18: suspended tenants' cron work stops (activeTenant in every read); past the grace
  // period they are erased in bounded batches; work parked while a restored tenant was suspended
  // goes again; a hub endpoint's backlog that stalled is released.
  { name: 'erase due tenants', run: (_env, db, now) => eraseDueTenants(db, now) },
  { name: 'replay parked work', run: (env, db) => replayParkedWork(env, db) },
  { name: 'release stalled hub backlogs', run: (env, db, now) => releaseStalledBacklogs(db, env.DISPATCH, now) },
]

export class CronStepsFailed extends Error {
  constructor(readonly steps: string[]) {
    super(`cron steps failed: ${steps.join(', ')}`)
    this.name = 'CronStepsFailed'
  }
}

export async function runCron(env: Bindings, now = new Date(), steps: CronStep[] = STEPS) {
  const db = database(env.DB)
  const failed: string[] = []
  for (const step of steps) {
    try {
      await step.run(env, db, now)
    } catch (error) {
      logger.error('cron step failed', { step: step.name, error: String(error) })
      failed.push(step.name)
    }
  }
  if (failed.length) throw new CronStepsFailed(failed)
}

/** Minutes between polls of a connection, or null when it is never polled (or its settings no longer parse). */
function pollMinutes(platform: string, settings: unknown, connectionId: string): number | null {
  const connector = findConnector(platform)
  if (!connector) return null
  const polled =
    connector.role === 'source' ? Boolean(connector.fetchPage) : Boolean(connector.pollReports || connector.products)
  if (!polled) return null
  try {
    return connector.pollIntervalMinutes?.(connector.settingsSchema.parse(settings)) ?? DEFAULT_POLL_MINUTES
  } catch {
    logger.warn('connection settings no longer valid; poll skipped', { connectionId })
    return null
  }
}

/**
 * The polls that are due: a source's poll run and a destination's report poll. Only due rows are
 * read, soonest first and at most POLL_LIMIT, through the `connections_poll_due` index. Each
 * start moves the connection's due time in a compare-and-set, so two overlapping ticks start it
 * once. A source whose last poll is still running is looked at again in a minute.
 */
async function startDuePolls(env: Bindings, db: Database, now: Date) {
  const dueBy = new Date(now.getTime() + 5_000).toISOString()
  const staleBefore = new Date(now.getTime() - STALE_RUN_MINUTES * 60_000).toISOString()
  const rows = await db
    .select({
      id: connections.id,
      tenantId: connections.tenantId,
      platform: connections.platform,
      settings: connections.settings,
      createdAt: connections.createdAt,
      pollDueAt: connections.pollDueAt,
      cursor: sql<
        string | null
      >`(select ${syncCursors.cursor} from ${syncCursors} where ${syncCursors.connectionId} = ${connections.id} and ${syncCursors.kind} = 'poll')`,
      running: sql<number>`(select count(*) from ${syncJobs} where ${syncJobs.connectionId} = ${connections.id} and ${syncJobs.mode} = 'poll' and ${syncJobs.status} = 'running' and ${syncJobs.startedAt} > ${staleBefore})`,
    })
    .from(connections)
    .where(
      and(
        isNull(connections.deletedAt),
        // A paused connection is not polled (src/connection-setup/pause-connection.ts).
        isNull(connections.pausedAt),
        activeTenant(connections.tenantId),
        or(isNull(connections.pollDueAt), lte(connections.pollDueAt, dueBy))
      )
    )
    .orderBy(asc(connections.pollDueAt))
    .limit(POLL_LIMIT)

  for (const row of rows) {
    const minutes = pollMinutes(row.platform, row.settings, row.id)
    const running = row.running > 0
    const next =
      minutes === null ? now.getTime() + NOT_POLLED_RECHECK_MS : now.getTime() + (running ? 60_000 : minutes * 60_000)
    const claimed = await db
      .update(connections)
      .set({ pollDueAt: new Date(next).toISOString() })
      .where(
        and(
          eq(connections.id, row.id),
          row.pollDueAt === null ? isNull(connections.pollDueAt) : eq(connections.pollDueAt, row.pollDueAt)
        )
      )
      .returning({ id: connections.id })
    if (!claimed.length || minutes === null || running) continue
    const connector = findConnector(row.platform)
    if (connector?.role === 'destination') {
      // A warehouse's products are sent on the same schedule too (besides after each import that
      // brought products), so a lost message or a failed run is made good within one interval.
      if (connector.pollReports)
        await env.DISPATCH.send({ type: 'destination-poll', connectionId: row.id } satisfies DispatchMessage)
      if (connector.products)
        await env.DISPATCH.send({ type: 'warehouse-products', destinationId: row.id } satisfies DispatchMessage)
    } else {
      await startSync(db, env.INGEST, row, 'poll', row.cursor ?? row.createdAt)
    }
  }
}

/**
 * Inbox rows stored but never imported (the isolate died before the queue send, or the send failed).
 * A delivery whose connection was deleted is closed by its consumer with the reason (finding 9), so
 * it comes back once, not every minute.
 */
async function sweepInbox(env: Bindings, db: Database, now: Date) {
  const lost = await db
    .select({ id: inbox.id })
    .from(inbox)
    .where(
      and(
        isNull(inbox.processedAt),
        isNull(inbox.deadLetteredAt),
        lt(inbox.receivedAt, new Date(now.getTime() - LOST_AFTER_MS).toISOString()),
        // A suspended tenant's deliveries wait; a delivery whose connection is gone is still swept, and
        // its consumer closes it with the reason (finding 9).
        sql`${inbox.connectionId} not in (select ${connections.id} from ${connections} where not ${activeTenant(connections.tenantId)})`
      )
    )
    // Oldest first: what was lost longest goes first, and nothing waits behind rows that come back.
    .orderBy(asc(inbox.receivedAt))
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
    .where(
      and(
        inArray(handovers.state, ['pending', 'cancel_requested']),
        lt(handovers.updatedAt, before),
        free,
        activeTenant(handovers.tenantId)
      )
    )
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
        free,
        activeTenant(handovers.tenantId)
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
    .where(
      and(
        isNull(orderEvents.syncQueuedAt),
        ne(orderEvents.source, 'platform'),
        lt(orderEvents.at, minuteAgo),
        activeTenant(orderEvents.tenantId)
      )
    )
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
        sql`not exists (select 1 from ${outboundCalls} where ${outboundCalls.stepKey} = 'write-back:' || ${orderEvents.id})`,
        activeTenant(orderEvents.tenantId)
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
        lt(webhookDeliveries.createdAt, new Date(now.getTime() - LOST_AFTER_MS).toISOString()),
        activeTenant(webhookDeliveries.tenantId)
      )
    )
    .limit(SWEEP_LIMIT)
  if (lost.length) {
    await env.DISPATCH.sendBatch(
      lost.map((row) => ({ body: { type: 'hub-delivery', deliveryId: row.id } satisfies DispatchMessage }))
    )
  }
}
