/**
 * `npm run bench`: SPEC §7 measured, never asserted. Kontor's bundle and a bare Hono handler run
 * in the same Miniflare (workerd) process; load comes from this Node process over loopback.
 *   1. intake: signed Shopify webhooks (verify, dedupe, inbox row, queue message) vs a bare 202
 *   2. CPU: verify + parse + map of a typical order, in Node
 *   3. backfill: BENCH_BACKFILL_ORDERS (10,000) simulated orders end to end, time and workerd memory
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { shopifyOrderToCanonical } from '../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../src/connectors/shopify/schemas'
import { verifyShopifyWebhook } from '../src/connectors/shopify/webhook'
import { parseJsonLosslessly } from '../src/core/json'
import { routeOutbound } from '../test/simulators/router'
import { shopifyOrderPayload, signShopifyWebhook } from '../test/simulators/shopify'

const root = path.resolve(import.meta.dirname, '..')
const ADMIN_TOKEN = 'bench-admin-token'
const SECRET = 'bench-webhook-secret'
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const BACKFILL_ORDERS = Number(process.env.BENCH_BACKFILL_ORDERS ?? 10_000)
// The Worker runs with the compatibility date it is deployed with. Miniflare here is the one
// wrangler itself runs on (package.json pins it to wrangler's version), so one workerd serves
// `npm start`, `npm test` and the benchmark.
const BENCH_COMPATIBILITY_DATE =
  /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(root, 'wrangler.toml'), 'utf8'))?.[1] ??
  '2026-11-01'

function bundle(): string {
  const outdir = path.join(root, 'dist/bench')
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], { cwd: root, stdio: 'ignore' })
  return path.join(outdir, 'index.js')
}

const BARE_HONO = `
import { Hono } from 'hono'
const app = new Hono()
app.post('*', (c) => c.json({ accepted: true }, 202))
export default app
`

async function startMiniflare(kontorScript: string, consumeQueues: boolean) {
  const bareScript = path.join(root, 'dist/bench/bare.js')
  execFileSync(
    'npx',
    [
      'esbuild',
      '--bundle',
      '--format=esm',
      `--outfile=${bareScript}`,
      '--platform=neutral',
      '--main-fields=module,main',
    ],
    {
      cwd: root,
      input: BARE_HONO,
      stdio: ['pipe', 'ignore', 'inherit'],
    }
  )
  const queues = [
    'kontor-ingest',
    'kontor-dispatch',
    'kontor-sync',
    'kontor-ingest-dlq',
    'kontor-dispatch-dlq',
    'kontor-sync-dlq',
  ]
  // Miniflare 5 reads Miniflare 4's option shape through its own converter.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      // On disk, so workerd's memory shows the Worker's, not the database's growth.
      d1Persist: mkdtempSync(path.join(tmpdir(), 'kontor-bench-d1-')),
      workers: [
        {
          name: 'kontor',
          // index.js and the Swagger UI files wrangler writes beside it as text modules (wrangler.toml rules).
          modulesRoot: path.dirname(kontorScript),
          modules: [
            { type: 'ESModule', path: kontorScript },
            ...readdirSync(path.dirname(kontorScript))
              .filter((file) => /-swagger-ui(-bundle\.js|\.css)$/.test(file))
              .map((file) => ({ type: 'Text' as const, path: path.join(path.dirname(kontorScript), file) })),
          ],
          compatibilityDate: BENCH_COMPATIBILITY_DATE,
          compatibilityFlags: ['nodejs_compat'],
          d1Databases: { DB: 'bench-db' },
          queueProducers: { INGEST: 'kontor-ingest', DISPATCH: 'kontor-dispatch', SYNC: 'kontor-sync' },
          // Intake is measured alone: without consumers, imports do not compete for the CPU.
          queueConsumers: !consumeQueues
            ? {}
            : Object.fromEntries(
                queues.map((queue) => [
                  queue,
                  {
                    maxBatchTimeout: 0.05,
                    maxBatchSize: 10,
                    maxRetries: 5,
                    ...(queue.endsWith('dlq') ? {} : { deadLetterQueue: `${queue}-dlq` }),
                  },
                ])
              ),
          bindings: {
            ADMIN_TOKEN,
            ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
            ALLOW_INSECURE_URLS: 'false',
            RETRY_BASE_SECONDS: '1',
          },
          outboundService: (request: Request) => routeOutbound(request),
          routes: ['kontor.bench/*'],
        },
        {
          name: 'bare',
          modules: true,
          scriptPath: bareScript,
          compatibilityDate: BENCH_COMPATIBILITY_DATE,
          routes: ['bare.bench/*'],
        },
      ],
      port: 0,
    })
  )
  await mf.ready
  const db = await mf.getD1Database('DB', 'kontor')
  for (const file of readdirSync(path.join(root, 'migrations'))
    .filter((name) => name.endsWith('.sql'))
    .sort()) {
    for (const statement of readFileSync(path.join(root, 'migrations', file), 'utf8').split(
      '--> statement-breakpoint'
    )) {
      if (statement.trim()) await db.prepare(statement).run()
    }
  }
  return { mf, url: await mf.ready }
}

async function json(response: Response) {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.status}: ${text}`)
  return JSON.parse(text)
}

/** A POST to one of the workers; resolves with the status once the body is read. */
async function post(url: URL, host: string, headers: Record<string, string>, body: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { host, 'content-type': 'application/json', ...headers },
    body,
  })
  await response.arrayBuffer()
  return response.status
}

/** Closed-loop load: CONCURRENCY workers send requests back to back for DURATION_MS. */
async function load(send: (index: number) => Promise<number>) {
  let done = 0
  let errors = 0
  let next = 0
  const started = performance.now()
  const until = started + DURATION_MS
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const status = await send(next++)
        if (status >= 400) errors++
        done++
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  return { requests: done, errors, perSecond: Math.round(done / seconds) }
}

async function medianLatency(send: (index: number) => Promise<number>, count = 300) {
  const times: number[] = []
  for (let index = 0; index < count; index++) {
    const started = performance.now()
    await send(1_000_000 + index)
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(count / 2)], p99: times[Math.floor(count * 0.99)] }
}

/** Calls Kontor's API inside Miniflare; the Host header picks the worker. */
async function kontorCall(url: URL, pathname: string, token: string, body: unknown) {
  const response = await fetch(new URL(pathname, url), {
    method: 'POST',
    headers: { host: 'kontor.bench', 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  return json(response)
}

async function simulatorCall(shopDomain: string, path: string, body: unknown) {
  return json(
    await routeOutbound(new Request(`https://${shopDomain}${path}`, { method: 'POST', body: JSON.stringify(body) }))
  )
}

/** A tenant with a Shopify connection to a simulated shop (whose backfill starts at once). */
async function shopifyConnection(url: URL, shopDomain: string, seedOrders = 0) {
  await simulatorCall(shopDomain, '/_sim/shop', { accessToken: 'x', webhookSecret: SECRET })
  if (seedOrders) await simulatorCall(shopDomain, '/_sim/orders', { generate: seedOrders })
  const tenant = await kontorCall(url, '/api/v1/tenants', ADMIN_TOKEN, { name: shopDomain, currency: 'USD' })
  const connection = await kontorCall(url, '/api/v1/connections', tenant.token, {
    platform: 'shopify',
    name: 'bench',
    credentials: { shopDomain, accessToken: 'x', webhookSecret: SECRET },
  })
  return { tenant, connection }
}

async function benchIntake(url: URL) {
  const shopDomain = 'bench-intake.myshopify.com'
  const { connection } = await shopifyConnection(url, shopDomain)
  const body = JSON.stringify(shopifyOrderPayload({ id: 4242, currency: 'USD' }))
  const signature = await signShopifyWebhook(SECRET, body)
  const webhookUrl = new URL(`/webhooks/shopify/${connection.id}`, url)
  const webhook = (index: number) =>
    post(
      webhookUrl,
      'kontor.bench',
      {
        'x-shopify-hmac-sha256': signature,
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-topic': 'orders/updated',
        'x-shopify-webhook-id': `bench-${index}`,
      },
      body
    )
  const bare = () => post(new URL('/', url), 'bare.bench', {}, body)

  await load(bare) // warm-up
  const bareResult = await load(bare)
  const intakeResult = await load(webhook)
  const bareLatency = await medianLatency(bare)
  const intakeLatency = await medianLatency(webhook)
  return { bareResult, intakeResult, bareLatency, intakeLatency, ratio: intakeResult.perSecond / bareResult.perSecond }
}

async function benchCpu() {
  const body = JSON.stringify(shopifyOrderPayload({ id: 4243, currency: 'USD' }))
  const bytes = new TextEncoder().encode(body)
  const signature = await signShopifyWebhook(SECRET, body)
  const headers = new Headers({
    'x-shopify-hmac-sha256': signature,
    'x-shopify-shop-domain': 'cpu.myshopify.com',
    'x-shopify-topic': 'orders/create',
    'x-shopify-webhook-id': '1',
  })
  const credentials = { shopDomain: 'cpu.myshopify.com', accessToken: 'x', webhookSecret: SECRET }
  const once = async () => {
    await verifyShopifyWebhook({ method: 'POST', url: 'https://kontor.bench/', headers, body: bytes }, credentials)
    shopifyOrderToCanonical(shopifyOrderSchema.parse(parseJsonLosslessly(body)))
  }
  for (let index = 0; index < 500; index++) await once()
  const rounds = 5000
  const started = performance.now()
  for (let index = 0; index < rounds; index++) await once()
  return { microsecondsPerOrder: Math.round(((performance.now() - started) / rounds) * 1000), bytes: bytes.length }
}

function workerdMemoryMb(): number {
  try {
    const pids = execFileSync('pgrep', ['-f', 'workerd serve'], { encoding: 'utf8' }).trim().split('\n')
    return pids.reduce((sum, pid) => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      return sum + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
    }, 0)
  } catch {
    return NaN
  }
}

async function benchBackfill(url: URL) {
  const shopDomain = 'bench-backfill.myshopify.com'
  const memory: number[] = [workerdMemoryMb()]
  const started = performance.now()
  // The simulator's rate limit (bucket 40, 2/s) stays on; a page of 250 costs one call.
  const { connection } = await shopifyConnection(url, shopDomain, BACKFILL_ORDERS)
  let imported = 0
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    memory.push(workerdMemoryMb())
    const job = await jobStatus(connection.backfillJobId)
    imported = job.records
    if (job.status !== 'running') break
  }
  const seconds = (performance.now() - started) / 1000
  return {
    orders: imported,
    seconds: Math.round(seconds * 10) / 10,
    perSecond: Math.round(imported / seconds),
    memoryMb: memory.map(Math.round),
  }
}

let miniflare: Miniflare
async function jobStatus(jobId: string) {
  const db = await miniflare.getD1Database('DB', 'kontor')
  return (await db.prepare('select status, records from sync_jobs where id = ?').bind(jobId).first()) as {
    status: string
    records: number
  }
}

const script = bundle()
const cpu = await benchCpu()
console.log(`CPU: verify + parse + map of a ${cpu.bytes}-byte order: ${cpu.microsecondsPerOrder} µs`)
const intakeRun = await startMiniflare(script, false)
try {
  const intake = await benchIntake(intakeRun.url)
  console.log(`Intake (Miniflare, ${CONCURRENCY} concurrent, ${DURATION_MS / 1000}s each):`)
  console.log(
    `  bare Hono 202:        ${intake.bareResult.perSecond} req/s, median ${intake.bareLatency.median.toFixed(2)} ms, p99 ${intake.bareLatency.p99.toFixed(2)} ms`
  )
  console.log(
    `  signed Shopify intake: ${intake.intakeResult.perSecond} req/s (${intake.intakeResult.errors} errors), median ${intake.intakeLatency.median.toFixed(2)} ms, p99 ${intake.intakeLatency.p99.toFixed(2)} ms`
  )
  console.log(`  ratio: ${(intake.ratio * 100).toFixed(0)}% of bare`)
} finally {
  await intakeRun.mf.dispose()
}
const backfillRun = await startMiniflare(script, true)
miniflare = backfillRun.mf
try {
  const backfill = await benchBackfill(backfillRun.url)
  console.log(
    `Backfill: ${backfill.orders} orders in ${backfill.seconds}s (${backfill.perSecond}/s); workerd RSS MB over time: ${backfill.memoryMb.join(' ')}`
  )
} finally {
  await backfillRun.mf.dispose()
}
