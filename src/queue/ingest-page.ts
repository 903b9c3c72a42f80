/**
 * One page of a poll or backfill run in the INGEST consumer: read from the platform, imported,
 * counted on its job, and the next page queued; the last page of a poll moves the connection's
 * cursor (never backwards) and finishes the job. Each page is a short invocation of its own, so a
 * large shop's backfill never runs out of limits.
 */
import { eq, sql } from 'drizzle-orm'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, nowIso } from '../db/client'
import { loadConnection } from '../db/connections'
import { syncCursors, syncJobs } from '../db/schema'
import { importAndHandOn, loadForImport } from './ingest-import'
import type { PageMessage } from './messages'

function laterOf(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null
  if (!b) return a
  return Date.parse(a) >= Date.parse(b) ? a : b
}

export async function importPage(env: Bindings, db: Database, message: PageMessage) {
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

export async function finishJob(db: Database, jobId: string, status: string, error?: string) {
  await db
    .update(syncJobs)
    .set({ status, error: error ?? null, finishedAt: nowIso() })
    .where(eq(syncJobs.id, jobId))
}
