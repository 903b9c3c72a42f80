/**
 * A stock run (SPEC §7, ST1–ST4) end to end on workerd: a Wemalo warehouse with N SKUs and three
 * channels routed to it (Billbee, Shopify, WooCommerce), each knowing every SKU, all simulated.
 * Kontor is started by Wemalo's `stock_change` callback, as in production, and the run is done
 * when its job row says so. Counted at the simulators: write calls per channel (Billbee
 * `updatestockmultiple`, Shopify `inventorySetOnHandQuantities`, WooCommerce `…/batch`) for
 *   1. the first run (every SKU changed): ⌈N / 100⌉ each is the bound;
 *   2. a second run with nothing changed: 0;
 *   3. a run after CHANGED SKUs changed in Wemalo: ⌈CHANGED / 100⌉ each.
 * Billbee's write calls are those it answered 2xx; those it answered 429 (the pacer sends them
 * again) are counted apart. The channels' own first imports finish before the first run. Wemalo's figures are booked two
 * hours before the first run (availableStock keeps listing them
 * for hours: the unchanged run shows that they are not read again), the CHANGED SKUs' new figures
 * at the moment they change. Durations are wall time from the callback to the job's end. Kontor
 * runs behind scripts/bench/tenants-worker.ts, which counts every D1 statement: a run's
 * statements are the difference of its counts before and after (nothing else runs meanwhile).
 */
import { routeOutbound } from '../../test/simulators/router'
import { ADMIN_TOKEN, type BenchRuntime, workerUrl } from './miniflare'

const WEMALO = 'bench-stock.wemalo.test'
const SHOP = 'bench-stock.myshopify.com'
const WOO = 'bench-stock.woo.example'
const BILLBEE_KEY = 'bench-stock-billbee'
const TOKEN = 'bench-wemalo-token'

async function json(response: Response) {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.status}: ${text.slice(0, 500)}`)
  return text ? JSON.parse(text) : null
}

const sim = async (host: string, path: string, body?: unknown) =>
  json(
    await routeOutbound(
      new Request(`https://${host}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    )
  )
const billbee = (path: string, body?: unknown) => sim('app.billbee.io', `${path}?account=${BILLBEE_KEY}`, body)

async function kontor(url: URL, pathname: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  return json(
    await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...workerUrl('kontor', pathname),
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
  )
}

type D1Counts = { statements: number; roundTrips: number; rowsWritten: number }

/** The counting worker's D1 totals over every origin (fetch, queues, cron). */
async function d1Totals(url: URL): Promise<D1Counts> {
  const { d1 } = (await kontor(url, '/__bench/counts', '')) as { d1: Record<string, D1Counts> }
  const origins = Object.values(d1)
  const sum = (key: keyof D1Counts) => origins.reduce((total, counts) => total + counts[key], 0)
  return { statements: sum('statements'), roundTrips: sum('roundTrips'), rowsWritten: sum('rowsWritten') }
}

/** The totals once the last message's handler has finished counting (two equal reads). */
async function settledD1Totals(url: URL): Promise<D1Counts> {
  let last = await d1Totals(url)
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    const next = await d1Totals(url)
    if (next.statements === last.statements) return next
    last = next
  }
}

/** Waits until every queue message sent so far was handled (two checks a second apart). */
async function drained(url: URL) {
  let quiet = 0
  while (quiet < 2) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const { queued } = (await kontor(url, '/__bench/counts', '')) as {
      queued: Record<string, { sent: number; finished: number }>
    }
    quiet = Object.values(queued).every((queue) => queue.sent <= queue.finished) ? quiet + 1 : 0
  }
}

/**
 * Write calls the simulators accepted, per channel. Billbee answers 429 beyond 2 calls a second
 * per endpoint and the pacer sends the call again: a refused call wrote nothing, so it is counted
 * apart (`billbee429`), not as a write call.
 */
async function writeCalls() {
  const billbeeWrites = (await billbee('/_sim/requests')).requests.filter(
    (entry: { path: string }) => entry.path === '/api/v1/products/updatestockmultiple'
  ) as { status: number }[]
  const billbeeCalls = billbeeWrites.filter((entry) => entry.status >= 200 && entry.status < 300).length
  const billbee429 = billbeeWrites.filter((entry) => entry.status === 429).length
  const shopify = (await sim(SHOP, '/_sim/inventory')).mutations.length
  const woo = (await sim(WOO, '/_sim/requests')).requests.filter(
    (entry: { method: string; path: string }) => entry.method === 'POST' && entry.path.endsWith('/batch')
  ).length
  const wemalo = (await sim(WEMALO, '/_sim/requests')).requests.length
  return { billbee: billbeeCalls, billbee429, shopify, woo, wemalo }
}

export type StockRunResult = { seconds: number; calls: Record<string, number>; d1: D1Counts }

export type StockBenchResult = {
  skus: number
  changed: number
  first: StockRunResult
  unchanged: StockRunResult
  partial: StockRunResult
}

export async function benchStock(
  runtime: BenchRuntime,
  options: { skus: number; changed: number }
): Promise<StockBenchResult> {
  const url = runtime.url
  const skus = Array.from({ length: options.skus }, (_, index) => `SKU-${String(index).padStart(6, '0')}`)
  await sim(WEMALO, '/_sim/account', { token: TOKEN, maxCall: 10_000_000 })
  const booked = new Date(Date.now() - 2 * 3_600_000).toISOString()
  await sim(WEMALO, '/_sim/stock', {
    articles: skus.map((sku, index) => ({ sku, quantity: index % 23, changedAt: booked })),
  })
  await billbee('/_sim/account', { apiKey: BILLBEE_KEY, username: 'bench', apiPassword: 'bench' })
  await billbee('/_sim/products', {
    products: skus.map((sku, index) => ({ Id: index + 1, SKU: sku, StockCurrent: 0 })),
  })
  await sim(SHOP, '/_sim/shop', {
    accessToken: 'x',
    webhookSecret: 'x',
    bucketSize: 1_000_000,
    leakPerSecond: 1_000_000,
  })
  await sim(SHOP, '/_sim/inventory', { items: skus.map((sku) => ({ sku, available: 0 })) })
  await sim(WOO, '/_sim/site', { consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' })
  await sim(WOO, '/_sim/products', {
    products: skus.map((sku, index) => ({ id: 10 + index, sku, type: 'simple', parent_id: 0 })),
  })

  const tenant = await kontor(url, '/api/v1/tenants', ADMIN_TOKEN, { name: 'stock bench', currency: 'EUR' })
  const wemalo = await kontor(url, '/api/v1/connections', tenant.token, {
    platform: 'wemalo',
    name: 'warehouse',
    credentials: { token: TOKEN },
    settings: { baseUrl: `https://${WEMALO}/v1`, webhookEmail: 'ops@example.com' },
  })
  const channel = (platform: string, credentials: unknown, settings: Record<string, unknown>) =>
    kontor(url, '/api/v1/connections', tenant.token, {
      platform,
      name: platform,
      credentials,
      settings: { registerWebhooks: false, pollMinutes: 1440, ...settings },
      routes: [wemalo.id],
    })
  await channel('billbee', { username: 'bench', apiPassword: 'bench', apiKey: BILLBEE_KEY }, { ordersTag: 'kontor' })
  await channel('shopify', { shopDomain: SHOP, accessToken: 'x', webhookSecret: 'x' }, { stockLocationId: '1001' })
  await channel(
    'woocommerce',
    { siteUrl: `https://${WOO}`, consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' },
    {
      baseUrl: `https://${WOO}`,
    }
  )
  const db = await runtime.mf.getD1Database('DB', 'kontor')
  // The channels' first imports (their products and orders) run on the same queues: the runs start
  // once those are done, so they are measured alone.
  await drained(url)
  // A run in a new hour reads again what the last hour's run read (ST1, by design): the first two
  // runs are kept within one hour, so the second shows the steady state.
  const minute = new Date().getUTCMinutes()
  if (minute >= 45 || minute < 3)
    await new Promise((resolve) => setTimeout(resolve, (((63 - minute) % 60) + 1) * 60_000))

  const run = async (): Promise<StockRunResult> => {
    const before = await writeCalls()
    const d1Before = await settledD1Totals(url)
    const { deliveries } = await sim(WEMALO, '/_sim/callbacks/send', {
      event: 'stock_change',
      payload: { type: 'INCOMING_STOCK', orderId: Math.floor(Math.random() * 1e9), externalId: skus[0] },
      deliver: false,
    })
    const callback = new URL(deliveries[0].url)
    const started = performance.now()
    const since = new Date().toISOString()
    await kontor(url, `${callback.pathname}${callback.search}`, '', deliveries[0].body, deliveries[0].headers)
    for (;;) {
      const { results } = await db
        .prepare(`select status from sync_jobs where connection_id = ? and mode like 'stock%' and started_at >= ?`)
        .bind(wemalo.id, since)
        .all<{ status: string }>()
      if (results.length && results.every((job) => job.status !== 'running')) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const seconds = Math.round((performance.now() - started) / 100) / 10
    const after = await writeCalls()
    const calls = Object.fromEntries(
      Object.entries(after).map(([name, count]) => [name, count - before[name as keyof typeof before]])
    )
    const d1After = await settledD1Totals(url)
    const d1 = {
      statements: d1After.statements - d1Before.statements,
      roundTrips: d1After.roundTrips - d1Before.roundTrips,
      rowsWritten: d1After.rowsWritten - d1Before.rowsWritten,
    }
    return { seconds, calls, d1 }
  }

  const first = await run()
  const unchanged = await run()
  await sim(WEMALO, '/_sim/stock', {
    articles: skus.slice(0, options.changed).map((sku, index) => ({ sku, quantity: (index % 23) + 5 })),
  })
  const partial = await run()
  return { skus: options.skus, changed: options.changed, first, unchanged, partial }
}
