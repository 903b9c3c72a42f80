/**
 * A Shopify backfill end to end: the simulated shop (rate limit on: bucket 40, 2/s) serves pages
 * of 250; Kontor's INGEST consumer fetches, maps and imports each page and queues the next.
 * Measured without touching src/:
 *   - page fetch: Node sees each orders.json request arrive at the simulator and its answer leave;
 *   - map: from the answer until the first order of that page is stamped `imported_at` (parse,
 *     schema, mapper, order ids and the one read of existing orders);
 *   - D1 writes: from that stamp until the Worker logs "page imported" (the page's transaction, the
 *     import log and the job row);
 *   - the rest is the queue hop to the next page message.
 * Memory: workerd's RSS (anonymous and file-backed), the V8 heap of every isolate through the
 * inspector, and the D1 files on disk, at every checkpoint of imported orders.
 */
import { execFileSync } from 'node:child_process'
import { routeOutbound } from '../../test/simulators/router'
import { heapByIsolate, type HeapUsage } from './inspector'
import { ADMIN_TOKEN, type BenchRuntime, workerdMemoryDetail, workerUrl } from './miniflare'

const SECRET = 'bench-webhook-secret'

type PageFetch = { start: number; end: number; status: number }
const fetches = new Map<string, PageFetch[]>()
const pageLogs: { timestamp: number; jobId: string; page: number }[] = []

/** The outbound service: every request goes to the simulators; orders pages are timed. */
export async function timedOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url)
  const start = Date.now()
  const response = await routeOutbound(request)
  if (request.method === 'GET' && url.pathname.endsWith('/orders.json')) {
    const body = await response.arrayBuffer()
    const list = fetches.get(url.hostname) ?? []
    list.push({ start, end: Date.now(), status: response.status })
    fetches.set(url.hostname, list)
    return new Response(body, { status: response.status, headers: response.headers })
  }
  return response
}

/** Structured logs of the Worker: the "page imported" line closes a page. */
export function onWorkerLog(log: { timestamp: number; message: string }) {
  if (!log.message.includes('page imported')) return
  try {
    const start = log.message.indexOf('{')
    const line = JSON.parse(log.message.slice(start))
    if (line.message === 'page imported')
      pageLogs.push({ timestamp: log.timestamp, jobId: line.jobId, page: line.page })
  } catch {
    // another line that mentions it
  }
}

async function json(response: Response) {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.status}: ${text}`)
  return JSON.parse(text)
}

async function kontorCall(url: URL, pathname: string, token: string, body: unknown) {
  return json(
    await fetch(url, {
      method: 'POST',
      headers: {
        ...workerUrl('kontor', pathname),
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    })
  )
}

async function simulatorCall(shopDomain: string, path: string, body: unknown) {
  return json(
    await routeOutbound(new Request(`https://${shopDomain}${path}`, { method: 'POST', body: JSON.stringify(body) }))
  )
}

/** A tenant with a Shopify connection to a simulated shop (whose backfill starts at once). */
export async function shopifyConnection(url: URL, shopDomain: string, seedOrders = 0) {
  await simulatorCall(shopDomain, '/_sim/shop', { accessToken: 'x', webhookSecret: SECRET })
  if (seedOrders) await simulatorCall(shopDomain, '/_sim/orders', { generate: seedOrders })
  const tenant = await kontorCall(url, '/api/v1/tenants', ADMIN_TOKEN, { name: shopDomain, currency: 'USD' })
  const connection = await kontorCall(url, '/api/v1/connections', tenant.token, {
    platform: 'shopify',
    name: 'bench',
    credentials: { shopDomain, accessToken: 'x', webhookSecret: SECRET },
  })
  return { tenant, connection, secret: SECRET }
}

function diskMb(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024
  } catch {
    return NaN
  }
}

export type Checkpoint = {
  orders: number
  seconds: number
  rssMb: number
  anonMb: number
  fileMb: number
  d1DiskMb: number
  heap: HeapUsage
}

export type BackfillResult = {
  orders: number
  ordersStored: number
  /** seeding the simulated shop, not part of the backfill */
  seedSeconds: number
  /** first page request to the last page imported */
  seconds: number
  perSecond: number
  pages: number
  throttled: number
  split: { fetchMs: number; mapMs: number; d1Ms: number; queueMs: number; pagesTimed: number }
  checkpoints: Checkpoint[]
  after: Checkpoint
}

export async function benchBackfill(
  runtime: BenchRuntime,
  options: { orders: number; checkpointEvery: number; inspectorPort: number }
): Promise<BackfillResult> {
  const shopDomain = `bench-backfill-${options.orders}.myshopify.com`
  const db = await runtime.mf.getD1Database('DB', 'kontor')
  const jobStatus = async (jobId: string) =>
    (await db.prepare('select status, records, pages from sync_jobs where id = ?').bind(jobId).first()) as {
      status: string
      records: number
      pages: number
    }
  const checkpoint = async (orders: number, started: number): Promise<Checkpoint> => ({
    orders,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    ...workerdMemoryDetail(),
    d1DiskMb: diskMb(runtime.d1Dir),
    heap: await heapByIsolate(options.inspectorPort),
  })

  const baseline = await checkpoint(0, performance.now())
  // Seeding the simulated shop (Node) is not part of the backfill: the clock starts once the
  // connection exists and its backfill job is queued.
  const seeding = performance.now()
  const { connection } = await shopifyConnection(runtime.url, shopDomain, options.orders)
  const started = performance.now()
  const seedSeconds = (started - seeding) / 1000
  const checkpoints: Checkpoint[] = [baseline]
  let next = options.checkpointEvery
  let job: Awaited<ReturnType<typeof jobStatus>>
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    job = await jobStatus(connection.backfillJobId)
    while (job.records >= next && next <= options.orders) {
      checkpoints.push(await checkpoint(job.records, started))
      next += options.checkpointEvery
    }
    if (job.status !== 'running') break
  }
  const seconds = (performance.now() - started) / 1000
  if (job.status !== 'done') throw new Error(`backfill ended ${job.status}`)

  // The time split, page by page.
  const pageFetches = (fetches.get(shopDomain) ?? []).filter((entry) => entry.status === 200)
  const throttled = (fetches.get(shopDomain) ?? []).filter((entry) => entry.status === 429).length
  const stamps = (
    await db
      .prepare('select imported_at as at from orders where connection_id = ? order by imported_at')
      .bind(connection.id)
      .all<{ at: string }>()
  ).results.map((row) => Date.parse(row.at))
  const logs = pageLogs.filter((entry) => entry.jobId === connection.backfillJobId).sort((a, b) => a.page - b.page)
  const split = { fetchMs: 0, mapMs: 0, d1Ms: 0, queueMs: 0, pagesTimed: 0 }
  for (const [index, fetched] of pageFetches.entries()) {
    split.fetchMs += fetched.end - fetched.start
    const done = logs.find((entry) => entry.timestamp >= fetched.end)
    if (!done) continue
    const first = stamps.find((at) => at >= fetched.end && at <= done.timestamp)
    if (first === undefined) continue
    split.mapMs += first - fetched.end
    split.d1Ms += done.timestamp - first
    const nextFetch = pageFetches[index + 1]
    if (nextFetch) split.queueMs += Math.max(0, nextFetch.start - done.timestamp)
    split.pagesTimed++
  }

  // After the run, idle for a few seconds: memory once more.
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const after = await checkpoint(job.records, started)
  // Wall time of the import itself: first page request to the last page's log line, when both
  // were seen (else from the connection's creation to the job's end, polled every 250 ms).
  const firstFetch = (fetches.get(shopDomain) ?? [])[0]
  const lastLog = logs.at(-1)
  const importSeconds = firstFetch && lastLog ? (lastLog.timestamp - firstFetch.start) / 1000 : seconds
  return {
    orders: job.records,
    ordersStored: stamps.length,
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    seconds: Math.round(importSeconds * 10) / 10,
    perSecond: Math.round(job.records / importSeconds),
    pages: job.pages,
    throttled,
    split,
    checkpoints,
    after,
  }
}
