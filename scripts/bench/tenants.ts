/**
 * Many tenants on one D1 (SPEC §7): 50 tenants, each with two source connections of Shopify,
 * WooCommerce, plentymarkets and Billbee (in turn, so every platform has 25) routed to its own
 * simulated Wemalo account, and a hub endpoint for `order.shipped`. For `seconds` a steady,
 * bounded load arrives: new orders at `ordersPerSecond` in all, spread over the tenants by a Zipf
 * law (tenant k gets a share ∝ 1/k), as signed webhooks (Shopify, WooCommerce) or as orders the
 * next poll finds (plentymarkets, Billbee); the cron runs every 15 s and is told a minute has
 * passed (so polls that are due each minute run four times as often as in production); every 2 s
 * Wemalo ships what it holds and calls back, which becomes a write-back and a hub delivery. Then
 * the load stops and the queues drain (at most `drainSeconds`): the run ends by itself.
 *
 * Kontor runs as deployed (wrangler's bundle) behind scripts/bench/tenants-worker.ts, which counts
 * every D1 statement and queue message; everything goes to loopback or to the simulators in this
 * Node process.
 */
import { routeOutbound } from '../../test/simulators/router'
import { shopifyOrderPayload, signShopifyWebhook } from '../../test/simulators/shopify'
import { wooJson, wooOrderPayload, wooWebhookHeaders } from '../../test/simulators/woocommerce'
import { ADMIN_TOKEN, type BenchRuntime, workerUrl } from './miniflare'

const PLATFORMS = ['shopify', 'woocommerce', 'plentymarkets', 'billbee'] as const
type Platform = (typeof PLATFORMS)[number]
const SECRET = 'bench-tenants-secret'
const WEMALO_TOKEN = 'bench-tenants-wemalo'
const CRON_EVERY_MS = 15_000
const REPORT_EVERY_MS = 2_000
const SAMPLE_EVERY_MS = 1_000
/** At most this many webhooks in flight: the load stays bounded if Kontor falls behind. */
const MAX_IN_FLIGHT = 32

type Source = { platform: Platform; connectionId: string; host: string; nextId: number }
type Tenant = { index: number; id: string; token: string; wemaloHost: string; sources: Source[]; shipped: Set<string> }
type D1Totals = { statements: number; roundTrips: number; batches: number; rowsWritten: number }
type Counts = {
  d1: Record<string, D1Totals>
  queued: Record<string, { sent: number; finished: number; retried: number }>
  at: number
}

export type TenantsResult = Awaited<ReturnType<typeof benchTenants>>

async function kontor(runtime: BenchRuntime, pathname: string, init: { token?: string; body?: unknown } = {}) {
  const response = await fetch(runtime.url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...workerUrl('kontor', pathname),
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : null
}

async function simulator(url: string, body?: unknown) {
  const response = await routeOutbound(
    new Request(url, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  )
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<any>
}

const d1Total = (counts: Counts): D1Totals =>
  Object.values(counts.d1).reduce(
    (total, entry) => ({
      statements: total.statements + entry.statements,
      roundTrips: total.roundTrips + entry.roundTrips,
      batches: total.batches + entry.batches,
      rowsWritten: total.rowsWritten + entry.rowsWritten,
    }),
    { statements: 0, roundTrips: 0, batches: 0, rowsWritten: 0 }
  )
const backlogOf = (counts: Counts) =>
  Object.fromEntries(Object.entries(counts.queued).map(([name, queue]) => [name, queue.sent - queue.finished]))

async function createSource(runtime: BenchRuntime, tenant: Tenant, platform: Platform, wemaloId: string) {
  const tag = `t${tenant.index}-${platform}`
  const common = { name: platform, routes: [wemaloId] }
  let body: Record<string, unknown>
  let host: string
  switch (platform) {
    case 'shopify':
      host = `${tag}.myshopify.com`
      await simulator(`https://${host}/_sim/shop`, { accessToken: 'shpat_bench', webhookSecret: SECRET })
      body = {
        platform,
        credentials: { shopDomain: host, accessToken: 'shpat_bench', webhookSecret: SECRET },
        settings: { fulfilmentSync: true },
      }
      break
    case 'woocommerce':
      host = `${tag}.woo.example`
      await simulator(`https://${host}/_sim/site`, {
        consumerKey: 'ck_bench',
        consumerSecret: 'cs_bench',
        webhookSecret: SECRET,
        categories: [{ id: 9, name: 'Kitchen', parent: 0 }],
      })
      await simulator(`https://${host}/_sim/products`, {
        products: [{ id: 93, name: 'Teapot', sku: 'TEA-1', categories: [{ id: 9, name: 'Kitchen' }] }],
      })
      body = {
        platform,
        credentials: {
          siteUrl: `https://${host}`,
          consumerKey: 'ck_bench',
          consumerSecret: 'cs_bench',
          webhookSecret: SECRET,
        },
        settings: { shipmentTracking: true },
      }
      break
    case 'plentymarkets':
      host = `${tag}.plentymarkets-cloud01.com`
      await simulator(`https://${host}/_sim/system`, { username: 'kontor', password: 'secret' })
      body = {
        platform,
        credentials: {
          url: `https://${host}`,
          username: 'kontor',
          password: 'secret',
          plentyId: 1000,
          warehouseId: 1,
          storageLocationId: 0,
        },
        settings: { pollMinutes: 1 },
      }
      break
    case 'billbee':
      host = `bench-${tag}`
      await simulator(`https://app.billbee.io/_sim/account?account=${host}`, {
        apiKey: host,
        username: 'shop@example.com',
        apiPassword: 'secret',
      })
      body = {
        platform,
        credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey: host },
        settings: { ordersTag: 'kontor', pollMinutes: 1 },
      }
      break
  }
  const connection = await kontor(runtime, '/api/v1/connections', { token: tenant.token, body: { ...common, ...body } })
  return { platform, connectionId: connection.id as string, host, nextId: 0 } satisfies Source
}

async function setupTenant(runtime: BenchRuntime, index: number): Promise<Tenant> {
  const created = await kontor(runtime, '/api/v1/tenants', {
    token: ADMIN_TOKEN,
    body: { name: `bench-tenant-${index}`, currency: 'EUR' },
  })
  const wemaloHost = `t${index}.wemalo.test`
  await simulator(`https://${wemaloHost}/_sim/account`, { token: WEMALO_TOKEN })
  const wemalo = await kontor(runtime, '/api/v1/connections', {
    token: created.token,
    body: {
      platform: 'wemalo',
      name: 'warehouse',
      credentials: { token: WEMALO_TOKEN },
      settings: { baseUrl: `https://${wemaloHost}/v1`, webhookEmail: 'ops@example.com' },
    },
  })
  const tenant: Tenant = { index, id: created.id, token: created.token, wemaloHost, sources: [], shipped: new Set() }
  for (const platform of [PLATFORMS[index % 4], PLATFORMS[(index + 1) % 4]])
    tenant.sources.push(await createSource(runtime, tenant, platform, wemalo.id))
  await kontor(runtime, '/api/v1/webhook-endpoints', {
    token: tenant.token,
    body: { url: `https://t${index}.hooks.test/kontor`, events: ['order.shipped'] },
  })
  return tenant
}

/** A new order at the source: a signed webhook now, or an order the next poll reads. */
async function newOrder(runtime: BenchRuntime, tenant: Tenant, source: Source, latencies: number[]) {
  const serial = ++source.nextId
  const post = async (pathname: string, headers: Record<string, string>, body: string) => {
    const started = performance.now()
    const response = await fetch(runtime.url, {
      method: 'POST',
      headers: { ...workerUrl('kontor', pathname), ...headers },
      body,
    })
    await response.arrayBuffer()
    latencies.push(performance.now() - started)
    if (response.status !== 202) throw new Error(`${pathname}: ${response.status}`)
  }
  switch (source.platform) {
    case 'shopify': {
      const id = 5_000_000 + tenant.index * 100_000 + serial
      // In the shop too: the write-back reads the order's fulfilment orders there.
      await simulator(`https://${source.host}/_sim/orders`, { orders: [{ id, currency: 'EUR' }] })
      const body = JSON.stringify(shopifyOrderPayload({ id, currency: 'EUR' }))
      return post(
        `/webhooks/shopify/${source.connectionId}`,
        {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': source.host,
          'x-shopify-webhook-id': crypto.randomUUID(),
          'x-shopify-hmac-sha256': await signShopifyWebhook(SECRET, body),
        },
        body
      )
    }
    case 'woocommerce': {
      const id = 10_000 + serial
      await simulator(`https://${source.host}/_sim/orders`, { orders: [{ id }] })
      const body = wooJson(wooOrderPayload({ id }))
      return post(
        `/webhooks/woocommerce/${source.connectionId}`,
        await wooWebhookHeaders(SECRET, 'order.created', body, `https://${source.host}/`),
        body
      )
    }
    case 'plentymarkets':
      return void (await simulator(`https://${source.host}/_sim/orders`, { orders: [{ id: 9_000 + serial }] }))
    case 'billbee':
      return void (await simulator(`https://app.billbee.io/_sim/orders?account=${source.host}`, {
        orders: [{ BillBeeOrderId: 30_000_000_000 + serial }],
      }))
  }
}

/** Wemalo ships every goods order it holds and calls back once for each (a SHIPPED status_update). */
async function shipAndReport(runtime: BenchRuntime, tenant: Tenant, latencies: number[], limit: number) {
  const { goodsOrders } = await simulator(`https://${tenant.wemaloHost}/_sim/goodsOrders`)
  let reported = 0
  for (const goodsOrder of goodsOrders as { externalId: string }[]) {
    if (reported >= limit) break
    if (tenant.shipped.has(goodsOrder.externalId)) continue
    tenant.shipped.add(goodsOrder.externalId)
    const base = `https://${tenant.wemaloHost}/_sim/goodsOrders/${goodsOrder.externalId}`
    await simulator(`${base}/ship`, { trackingNumber: `0034${tenant.index}${tenant.shipped.size}`, carrier: 'DHL' })
    const { deliveries } = await simulator(`https://${tenant.wemaloHost}/_sim/callbacks/send`, {
      event: 'status_update',
      externalId: goodsOrder.externalId,
      deliver: false,
    })
    for (const delivery of deliveries as { url: string; headers: Record<string, string>; body: string }[]) {
      const url = new URL(delivery.url)
      const started = performance.now()
      const response = await fetch(runtime.url, {
        method: 'POST',
        headers: { ...workerUrl('kontor', `${url.pathname}${url.search}`), ...delivery.headers },
        body: delivery.body,
      })
      await response.arrayBuffer()
      latencies.push(performance.now() - started)
    }
    reported++
  }
  return reported
}

/** Zipf weights: tenant k (from 1) gets a share ∝ 1/k. */
function zipfPicker(count: number) {
  const weights = Array.from({ length: count }, (_, index) => 1 / (index + 1))
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const cumulative = weights.map(
    (
      (sum) => (weight: number) =>
        (sum += weight / total)
    )(0)
  )
  return () => {
    const draw = Math.random()
    const found = cumulative.findIndex((edge) => draw <= edge)
    return found < 0 ? count - 1 : found
  }
}

const percentile = (sorted: number[], share: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] : NaN
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

export async function benchTenants(
  runtime: BenchRuntime,
  options: { tenants: number; seconds: number; ordersPerSecond: number; drainSeconds: number }
) {
  const setupStarted = performance.now()
  const tenants: Tenant[] = []
  for (let index = 0; index < options.tenants; index++) tenants.push(await setupTenant(runtime, index))
  const counts = () => kontor(runtime, '/__bench/counts') as Promise<Counts>
  // The connections' first backfills (empty shops) and webhook registrations finish before the clock starts.
  for (let waited = 0; waited < 60; waited++) {
    const backlog = backlogOf(await counts())
    if (Object.values(backlog).every((waiting) => waiting <= 0)) break
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000

  const pick = zipfPicker(tenants.length)
  const perTenant = new Array<number>(tenants.length).fill(0)
  const intake: number[] = []
  const reportIntake: number[] = []
  let inFlight = 0
  let shed = 0
  let failures = 0
  let reports = 0
  const start = await counts()
  const virtualStart = Date.now()
  const samples: { s: number; statements: number; rowsWritten: number; backlog: Record<string, number> }[] = []
  const timers: ReturnType<typeof setInterval>[] = []
  const work: Promise<unknown>[] = []
  const track = (promise: Promise<unknown>) => {
    const guarded = promise.catch((error) => {
      failures++
      if (failures <= 5) console.error('  tenants bench:', String(error).slice(0, 300))
    })
    work.push(guarded)
  }

  let minute = 0
  const cron = () =>
    track(kontor(runtime, `/__bench/cron?at=${new Date(virtualStart + minute++ * 60_000).toISOString()}`, { body: {} }))
  cron()
  timers.push(setInterval(cron, CRON_EVERY_MS))
  timers.push(
    setInterval(() => {
      track(
        (async () => {
          for (const tenant of tenants) reports += await shipAndReport(runtime, tenant, reportIntake, 20)
        })()
      )
    }, REPORT_EVERY_MS)
  )
  timers.push(
    setInterval(() => {
      track(
        counts().then((now) => {
          const total = d1Total(now)
          samples.push({
            s: round((now.at - start.at) / 1000),
            statements: total.statements,
            rowsWritten: total.rowsWritten,
            backlog: backlogOf(now),
          })
        })
      )
    }, SAMPLE_EVERY_MS)
  )
  // New orders at a steady rate, in ticks of 100 ms.
  const tickMs = 100
  let due = 0
  timers.push(
    setInterval(() => {
      due += (options.ordersPerSecond * tickMs) / 1000
      for (; due >= 1; due--) {
        if (inFlight >= MAX_IN_FLIGHT) {
          shed++
          continue
        }
        const index = pick()
        const tenant = tenants[index]
        const source = tenant.sources[Math.floor(Math.random() * tenant.sources.length)]
        perTenant[index]++
        inFlight++
        track(newOrder(runtime, tenant, source, intake).finally(() => inFlight--))
      }
    }, tickMs)
  )
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000))
  for (const timer of timers) clearInterval(timer)
  await Promise.all(work.splice(0))
  // One more cron minute, so the orders added to the polled platforms since the last one are read.
  await kontor(runtime, `/__bench/cron?at=${new Date(virtualStart + minute++ * 60_000).toISOString()}`, { body: {} })
  const loadEnd = await counts()
  const loadSeconds = (loadEnd.at - start.at) / 1000

  // Drain: no new work; the queues finish what they hold, for at most drainSeconds.
  const drainStarted = performance.now()
  let end = loadEnd
  while ((performance.now() - drainStarted) / 1000 < options.drainSeconds) {
    end = await counts()
    if (Object.values(backlogOf(end)).every((waiting) => waiting <= 0)) break
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000

  const db = await runtime.mf.getD1Database('DB', 'kontor')
  const scalar = async (query: string) => ((await db.prepare(query).first<{ n: number }>())?.n ?? 0) as number
  const ordersStored = await scalar('select count(*) as n from orders')
  const handedOver = await scalar("select count(*) as n from handovers where state = 'confirmed'")
  const shipped = await scalar("select count(*) as n from orders where status = 'shipped'")
  const writtenBack = await scalar(
    "select count(*) as n from outbound_calls where action = 'write-back:shipped' and result in ('done', 'not_applicable')"
  )
  const hubDelivered = await scalar("select count(*) as n from webhook_deliveries where state = 'delivered'")
  const deadLetters = await scalar('select count(*) as n from dead_letters')

  const atLoad = d1Total(loadEnd)
  const atStart = d1Total(start)
  const atEnd = d1Total(end)
  const byOrigin = Object.fromEntries(
    Object.keys(end.d1).map((origin) => [origin, end.d1[origin].statements - start.d1[origin].statements])
  )
  intake.sort((a, b) => a - b)
  reportIntake.sort((a, b) => a - b)
  const windows = samples.filter((sample, index) => index > 0 && sample.s <= loadSeconds)
  const perSecond = windows.map((sample, index) => {
    const previous = index ? windows[index - 1] : samples[0]
    return (sample.statements - previous.statements) / Math.max(0.001, sample.s - previous.s)
  })
  return {
    tenants: tenants.length,
    connections: tenants.length * 3,
    setupSeconds: round(setupSeconds),
    seconds: round(loadSeconds),
    drainSeconds: round(drainSeconds),
    drained: Object.values(backlogOf(end)).every((waiting) => waiting <= 0),
    ordersOffered: perTenant.reduce((sum, count) => sum + count, 0),
    ordersPerTenantTop: [...perTenant].sort((a, b) => b - a).slice(0, 5),
    ordersStored,
    handedOver,
    reports,
    shipped,
    writtenBack,
    hubDelivered,
    deadLetters,
    shed,
    failures,
    statementsPerSecond: round((atLoad.statements - atStart.statements) / loadSeconds),
    statementsPerSecondPeak: round(Math.max(0, ...perSecond)),
    roundTripsPerSecond: round((atLoad.roundTrips - atStart.roundTrips) / loadSeconds),
    rowsWrittenPerSecond: round((atLoad.rowsWritten - atStart.rowsWritten) / loadSeconds),
    /** everything the run did (load and drain), per order stored */
    statementsPerOrder: round((atEnd.statements - atStart.statements) / Math.max(1, ordersStored)),
    rowsWrittenPerOrder: round((atEnd.rowsWritten - atStart.rowsWritten) / Math.max(1, ordersStored)),
    statementsByOrigin: byOrigin,
    messagesSent: Object.fromEntries(
      Object.entries(end.queued).map(([name, queue]) => [name, queue.sent - start.queued[name].sent])
    ),
    retried: Object.values(end.queued).reduce((sum, queue) => sum + queue.retried, 0),
    intakeRequests: intake.length,
    intakeP50Ms: round(percentile(intake, 0.5), 2),
    intakeP99Ms: round(percentile(intake, 0.99), 2),
    reportIntakeP99Ms: round(percentile(reportIntake, 0.99), 2),
    backlogMax: Math.max(
      0,
      ...samples.map((sample) => Object.values(sample.backlog).reduce((sum, waiting) => sum + waiting, 0))
    ),
    backlog: samples
      .filter((sample) => Math.round(sample.s) % 5 === 0)
      .map((sample) => ({ s: Math.round(sample.s), ...sample.backlog })),
  }
}
