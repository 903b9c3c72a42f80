/**
 * A stock run (ST1–ST4), in DISPATCH messages:
 * 1. `stock-run`: asks the warehouse what changed (everything, at night), leaves out what was
 *    read after the warehouse's last change of it, adds the SKUs whose hub orders are or were in
 *    flight, and sends them on in chunks of READ_CHUNK;
 * 2. `stock-read`: reads one chunk's figures and stores them (a revision per change); the chunk
 *    that completes the run sends
 * 3. `stock-push`: per routed channel, the SKUs whose figure moved past what the channel last
 *    got, in full batches of the channel's size (so n changed SKUs take ⌈n / batch⌉ calls, and
 *    an unchanged one none). One push per warehouse at a time (a lease); a push that finds the
 *    lease taken comes back later.
 */
import { and, eq, sql } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findConnector, findDestinationConnector } from '../connectors/registry'
import type { DestinationConnector, StockFigures } from '../connectors/types'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import { randomId } from '../core/ids'
import { logger } from '../core/logger'
import { type Database, database, nowIso } from '../db/client'
import { type LoadedConnection, loadConnection, openConnection, routedTo } from '../db/connections'
import { connections, syncCursors, syncJobs } from '../db/schema'
import type { Bindings } from '../env'
import type { DispatchMessage } from '../queue/messages'
import { skusInFlight, skusStillCurrent, storeLevels } from './levels'
import { pushToChannel } from './push'

/** SKUs read per message: each is one Wemalo call (and a pacer slot), well under a Worker's subrequests. */
export const READ_CHUNK = 100
const PARALLEL_READS = 6
const PUSH_LEASE_MS = 5 * 60_000
const PUSH_RETRY_SECONDS = 30

export type StockRunMode = 'changes' | 'full'

async function warehouseOf(env: Bindings, db: Database, warehouseId: string) {
  const connection = await loadConnection(db, keyringOf(env), warehouseId)
  if (!connection) return null
  const connector = findDestinationConnector(connection.platform)
  if (!connector?.stockMaster) throw new FinalError(`${connection.platform} keeps no stock Kontor reads`)
  return {
    connection,
    master: connector.stockMaster,
    context: connectorContext(env, connector as DestinationConnector, connection, db),
  }
}

/** Starts a run: the changed SKUs (and those in flight) go out in chunks; returns the job id. */
export async function startStockRun(env: Bindings, warehouseId: string, mode: StockRunMode): Promise<string | null> {
  const db = database(env.DB)
  const warehouse = await warehouseOf(env, db, warehouseId)
  if (!warehouse) return null
  const startedAt = nowIso()
  const cursor = await db
    .select({ cursor: syncCursors.cursor })
    .from(syncCursors)
    .where(and(eq(syncCursors.connectionId, warehouseId), eq(syncCursors.kind, 'stock')))
    .get()
  const since = mode === 'full' || !cursor ? null : new Date(cursor.cursor)
  const changed = await warehouse.master.changedSkus(warehouse.context, since, new Date(startedAt))
  // A SKU read after the warehouse's last change of it is not read again (ST1).
  const current = await skusStillCurrent(db, warehouseId, changed)
  const toRead = changed.filter((entry) => !current.has(entry.sku)).map((entry) => entry.sku)
  const skus = [...new Set([...toRead, ...(await skusInFlight(db, warehouseId))])].sort()
  const jobId = randomId('job')
  await db.insert(syncJobs).values({
    id: jobId,
    tenantId: warehouse.connection.tenantId,
    connectionId: warehouseId,
    mode: mode === 'full' ? 'stock-full' : 'stock',
    status: 'running',
    records: skus.length,
    startedAt,
  })
  await db
    .insert(syncCursors)
    .values({ connectionId: warehouseId, kind: 'stock', cursor: startedAt, updatedAt: startedAt })
    .onConflictDoUpdate({
      target: [syncCursors.connectionId, syncCursors.kind],
      set: { cursor: startedAt, updatedAt: startedAt },
      setWhere: sql`${syncCursors.cursor} < ${startedAt}`,
    })
  const messages: MessageSendRequest<DispatchMessage>[] = []
  for (let start = 0; start < skus.length; start += READ_CHUNK)
    messages.push({ body: { type: 'stock-read', warehouseId, jobId, skus: skus.slice(start, start + READ_CHUNK) } })
  if (!messages.length) messages.push({ body: { type: 'stock-push', warehouseId, jobId } })
  for (let start = 0; start < messages.length; start += 100)
    await env.DISPATCH.sendBatch(messages.slice(start, start + 100))
  logger.info('stock run started', { warehouseId, jobId, mode, skus: skus.length, stillCurrent: current.size })
  return jobId
}

/** Reads one chunk's figures; the chunk that completes the run starts the push. */
export async function readStockChunk(env: Bindings, warehouseId: string, jobId: string, skus: string[]) {
  const db = database(env.DB)
  const warehouse = await warehouseOf(env, db, warehouseId)
  if (!warehouse) return
  // Taken before the reads: a figure is as current as the moment it was asked for.
  const readAt = nowIso()
  const figures: StockFigures[] = []
  // A Worker keeps at most six connections open at once: six reads in parallel.
  let next = 0
  const reader = async () => {
    while (next < skus.length) {
      const figure = await warehouse.master.figures(warehouse.context, skus[next++])
      if (figure) figures.push(figure)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL_READS }, reader))
  await storeLevels(db, { id: warehouseId, tenantId: warehouse.connection.tenantId }, figures, readAt)
  const [job] = await db
    .update(syncJobs)
    .set({ pages: sql`${syncJobs.pages} + 1`, unchanged: sql`${syncJobs.unchanged} + ${skus.length - figures.length}` })
    .where(eq(syncJobs.id, jobId))
    .returning({ pages: syncJobs.pages, records: syncJobs.records })
  // A chunk read twice (a retried message) counts twice: the push may then start once more,
  // which finds nothing left to write.
  if (job && job.pages * READ_CHUNK >= job.records)
    await env.DISPATCH.send({ type: 'stock-push', warehouseId, jobId } satisfies DispatchMessage)
}

/** The source connections routed to the warehouse that keep stock and did not opt out. */
async function stockChannels(db: Database, env: Bindings, warehouse: LoadedConnection) {
  const rows = await db.select().from(connections).where(routedTo(warehouse))
  const channels = []
  for (const row of rows) {
    const connector = findConnector(row.platform)
    if (connector?.role !== 'source' || !connector.stock) continue
    const connection = await openConnection(row, keyringOf(env))
    const context = connectorContext(env, connector, connection, db)
    const options = connector.stock.options(context.settings)
    if (options.sync) channels.push({ connection, connector, stock: connector.stock, context, buffer: options.buffer })
  }
  return channels
}
export type StockChannelHandle = Awaited<ReturnType<typeof stockChannels>>[number]

/** Takes the warehouse's push lease; false while another push holds it. */
async function takePushLease(db: Database, warehouseId: string, now: Date): Promise<boolean> {
  const until = new Date(now.getTime() + PUSH_LEASE_MS).toISOString()
  const claimed = await db
    .insert(syncCursors)
    .values({ connectionId: warehouseId, kind: 'stock-push', cursor: until, updatedAt: now.toISOString() })
    .onConflictDoUpdate({
      target: [syncCursors.connectionId, syncCursors.kind],
      set: { cursor: until, updatedAt: now.toISOString() },
      setWhere: sql`${syncCursors.cursor} <= ${now.toISOString()}`,
    })
    .returning({ cursor: syncCursors.cursor })
  return claimed.length > 0
}

async function releasePushLease(db: Database, warehouseId: string) {
  await db
    .update(syncCursors)
    .set({ cursor: nowIso(), updatedAt: nowIso() })
    .where(and(eq(syncCursors.connectionId, warehouseId), eq(syncCursors.kind, 'stock-push')))
}

/** Writes every channel's pending figures; a push that finds another running comes back later. */
export async function pushStock(env: Bindings, warehouseId: string, jobId: string | null) {
  const db = database(env.DB)
  const warehouse = await loadConnection(db, keyringOf(env), warehouseId)
  if (!warehouse) return
  if (!(await takePushLease(db, warehouseId, new Date()))) {
    await env.DISPATCH.send({ type: 'stock-push', warehouseId, jobId } satisfies DispatchMessage, {
      delaySeconds: PUSH_RETRY_SECONDS,
    })
    return
  }
  const counts: Record<string, unknown> = {}
  try {
    for (const channel of await stockChannels(db, env, warehouse)) {
      counts[channel.connection.id] = await pushToChannel(db, channel, warehouseId)
    }
  } finally {
    await releasePushLease(db, warehouseId)
  }
  if (jobId)
    await db
      .update(syncJobs)
      .set({ status: 'done', finishedAt: nowIso() })
      .where(and(eq(syncJobs.id, jobId), eq(syncJobs.status, 'running')))
  logger.info('stock pushed', { warehouseId, jobId, channels: JSON.stringify(counts) })
}

export { stockChannels }
