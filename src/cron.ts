/**
 * The cron trigger (every minute): starts the polls that are due, so platforms that never push
 * (plentymarkets, Billbee) are read and a webhook a shop failed to deliver is still imported
 * (reconciliation); and queues write-backs whose queueing was interrupted.
 */
import { and, eq, isNull, lt, ne, sql } from 'drizzle-orm'
import { findConnector } from './connectors/registry'
import { logger } from './core/logger'
import type { Bindings } from './env'
import { database } from './db/client'
import { connections, orderEvents, syncCursors, syncJobs } from './db/schema'
import { queueWriteBack } from './orders/record-event'
import { startSync } from './sync/start-sync'

const DEFAULT_POLL_MINUTES = 5
/** A poll still marked running after this long is considered lost and started again. */
const STALE_RUN_MINUTES = 30

export async function runCron(env: Bindings, now = new Date()) {
  await startDuePolls(env, now)
  await requeueWriteBacks(env, now)
}

async function startDuePolls(env: Bindings, now: Date) {
  const db = database(env.DB)
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
    const connector = findConnector(row.platform)
    if (!connector?.fetchPage || row.running > 0) continue
    let minutes = DEFAULT_POLL_MINUTES
    try {
      minutes = connector.pollIntervalMinutes?.(connector.settingsSchema.parse(row.settings)) ?? DEFAULT_POLL_MINUTES
    } catch {
      logger.warn('connection settings no longer valid; poll skipped', { connectionId: row.id })
      continue
    }
    const due = !row.lastStarted || Date.parse(row.lastStarted) + minutes * 60_000 <= now.getTime() + 5_000
    if (!due) continue
    await startSync(db, env.INGEST, row, 'poll', row.cursor ?? row.createdAt)
  }
}

async function requeueWriteBacks(env: Bindings, now: Date) {
  const db = database(env.DB)
  const pending = await db
    .select()
    .from(orderEvents)
    .where(
      and(
        isNull(orderEvents.syncQueuedAt),
        ne(orderEvents.source, 'platform'),
        lt(orderEvents.at, new Date(now.getTime() - 60_000).toISOString())
      )
    )
    .limit(100)
  for (const event of pending) {
    const tracking = (event.data as { tracking?: [] } | null)?.tracking
    await queueWriteBack(db, env.SYNC, {
      orderId: event.orderId,
      eventId: event.id,
      event: {
        type: event.type as never,
        message: event.message,
        tracking,
        data: event.data as Record<string, unknown> | null,
      },
    })
  }
}
