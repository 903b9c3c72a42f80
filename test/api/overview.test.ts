/**
 * Issue 19 finding 7: the operator's overview, `GET /api/v1/admin/overview`, and the activity
 * read model behind the charts, in workerd with real D1. Rows are written straight into D1 (no
 * platform is contacted); the figures must equal the connections page's summed per tenant.
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import { connectionActivity, tenantActivity } from '../../src/read-models/activity'
import { connectionHealth } from '../../src/read-models/connection-health'
import { tenantOverview } from '../../src/read-models/tenant-overview'
import { ADMIN_TOKEN, api, apiJson, createTenant } from '../helpers'

type Tenant = { id: string; token: string }
let calm: Tenant
let busy: Tenant
let waiting: Tenant
let suspended: Tenant

const NOW = Date.now()
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString()

async function run(query: string, ...values: unknown[]) {
  await env.DB.prepare(query)
    .bind(...values)
    .run()
}

async function connection(tenantId: string, id: string, platform: string) {
  await run(
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
     values (?, ?, ?, ?, 'x', '{}', '[]', ?, ?)`,
    id,
    tenantId,
    platform,
    `${platform} of ${tenantId}`,
    ago(10_000),
    ago(10_000)
  )
}

async function order(tenantId: string, connectionId: string, id: string, importedAt: string) {
  await run(
    `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
       status, total, content_hash, imported_at, changed_at)
     values (?, ?, ?, 'shopify', ?, ?, ?, ?, 'EUR', 'new', '1.00', 'h', ?, ?)`,
    id,
    tenantId,
    connectionId,
    id,
    id,
    importedAt,
    importedAt,
    importedAt,
    importedAt
  )
}

async function call(
  tenantId: string,
  connectionId: string,
  row: { id: string; orderId?: string; stepKey?: string; action: string; result: string; at: string }
) {
  await run(
    `insert into outbound_calls (id, tenant_id, connection_id, order_id, step_key, action, result, at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    tenantId,
    connectionId,
    row.orderId ?? null,
    row.stepKey ?? null,
    row.action,
    row.result,
    row.at
  )
}

beforeAll(async () => {
  ;[calm, busy, waiting, suspended] = await Promise.all(
    ['Calm', 'Busy', 'Waiting', 'Suspended'].map((name) => createTenant('EUR', `${name} ${crypto.randomUUID()}`))
  )
  const b = busy.id
  await connection(calm.id, `con_calm_${calm.id}`, 'shopify')
  await order(calm.id, `con_calm_${calm.id}`, `ord_calm_${calm.id}`, ago(30))

  await connection(b, `con_shop_${b}`, 'shopify')
  await connection(b, `con_wemalo_${b}`, 'wemalo')
  // Two orders imported in the last 24 hours, one a week ago.
  await order(b, `con_shop_${b}`, `ord_1_${b}`, ago(90))
  await order(b, `con_shop_${b}`, `ord_2_${b}`, ago(5))
  await order(b, `con_shop_${b}`, `ord_old_${b}`, ago(3 * 24 * 60))
  // Order 1's hand-over failed and then went through (recovered); order 2's keeps failing.
  await call(b, `con_wemalo_${b}`, {
    id: `c1_${b}`,
    orderId: `ord_1_${b}`,
    action: 'handover:wemalo',
    result: 'failed',
    at: ago(60),
  })
  await call(b, `con_wemalo_${b}`, {
    id: `c2_${b}`,
    orderId: `ord_1_${b}`,
    action: 'handover:wemalo',
    result: 'done',
    at: ago(50),
  })
  await call(b, `con_wemalo_${b}`, {
    id: `c3_${b}`,
    orderId: `ord_2_${b}`,
    action: 'handover:wemalo',
    result: 'failed',
    at: ago(4),
  })
  // A write-back whose claimed step failed (its row is its state), two days ago: failing, but not in 24 h.
  await call(b, `con_shop_${b}`, {
    id: `c4_${b}`,
    orderId: `ord_old_${b}`,
    stepKey: `write-back:evt_${b}`,
    action: 'write-back:shipped',
    result: 'failed',
    at: ago(2 * 24 * 60),
  })
  await run(
    `insert into import_log (id, tenant_id, connection_id, kind, external_id, result, reason, at) values
       (?, ?, ?, 'order', '9', 'failed', 'the shop answered 500', ?), (?, ?, ?, 'order', '8', 'failed', 'old', ?)`,
    `log_1_${b}`,
    b,
    `con_shop_${b}`,
    ago(20),
    `log_2_${b}`,
    b,
    `con_shop_${b}`,
    ago(26 * 60)
  )
  await run(
    `insert into sync_jobs (id, tenant_id, connection_id, mode, status, started_at, finished_at) values
       (?, ?, ?, 'poll', 'done', ?, ?), (?, ?, ?, 'poll', 'failed', ?, ?)`,
    `job_1_${b}`,
    b,
    `con_shop_${b}`,
    ago(40),
    ago(40),
    `job_2_${b}`,
    b,
    `con_shop_${b}`,
    ago(10),
    ago(10)
  )
  await run(
    `insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at, replayed_at) values
       (?, ?, 'sync', '{}', 'e', 6, ?, null), (?, ?, 'sync', '{}', 'e', 6, ?, ?)`,
    `dl_1_${b}`,
    b,
    ago(15),
    `dl_2_${b}`,
    b,
    ago(15),
    ago(14)
  )
  await run(
    `insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at) values
       (?, ?, ?, ?, 'failed', ?, ?), (?, ?, ?, ?, 'confirmed', ?, ?)`,
    `ho_2_${b}`,
    b,
    `ord_2_${b}`,
    `con_wemalo_${b}`,
    ago(4),
    ago(4),
    `ho_1_${b}`,
    b,
    `ord_1_${b}`,
    `con_wemalo_${b}`,
    ago(50),
    ago(50)
  )

  await connection(waiting.id, `con_w_${waiting.id}`, 'wemalo')
  await run(
    `insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at)
     values (?, ?, 'ord_x', ?, 'pending', ?, ?)`,
    `ho_w_${waiting.id}`,
    waiting.id,
    `con_w_${waiting.id}`,
    ago(1),
    ago(1)
  )
  // Failing, but suspended: listed after every active tenant.
  await connection(suspended.id, `con_s_${suspended.id}`, 'shopify')
  await run(
    `insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, 'ingest', '{}', 'e', 6, ?)`,
    `dl_s_${suspended.id}`,
    suspended.id,
    ago(3)
  )
  expect((await api(`/api/v1/tenants/${suspended.id}`, { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(200)
})

type Overview = { items: any[]; total: number; nextPage: number | null }

async function everyTenant(): Promise<any[]> {
  const items: any[] = []
  for (let page: number | null = 1; page;) {
    const answer: Overview = await apiJson(`/api/v1/admin/overview?limit=2&page=${page}`, { token: ADMIN_TOKEN })
    items.push(...answer.items)
    page = answer.nextPage
  }
  return items
}

describe('issue 19 finding 7: the operator overview', () => {
  it("sums the connections page's health per tenant and adds dead letters, orders, hand-overs and write-backs", async () => {
    const { items } = await apiJson<Overview>('/api/v1/admin/overview', {
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': busy.id },
    })
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      id: busy.id,
      state: 'failing',
      connections: 2,
      failingNow: 2, // order 2's hand-over, and the shop's latest poll
      recovered: 1, // order 1's hand-over
      failures24h: 4, // two failed calls, one import-log line, one poll run
      deadLetters: 1,
      ordersImported24h: 2,
      handoversWaiting: 0,
      handoversFailing: 1,
      writeBacksFailing: 1,
    })
    // The connections page shows the same, connection by connection.
    const health = await connectionHealth(database(env.DB), busy.id)
    const sum = (key: 'failingNow' | 'recovered' | 'failures24h') =>
      health.reduce((total, entry) => total + entry[key], 0)
    expect([items[0].failingNow, items[0].recovered, items[0].failures24h]).toEqual([
      sum('failingNow'),
      sum('recovered'),
      sum('failures24h'),
    ])
  })

  it('lists worst first across pages, active tenants before suspended ones, every tenant once', async () => {
    const items = await everyTenant()
    const ids = items.map((item) => item.id)
    expect(new Set(ids).size).toBe(ids.length)
    const position = (tenant: Tenant) => ids.indexOf(tenant.id)
    expect(position(busy)).toBeLessThan(position(waiting))
    expect(position(waiting)).toBeLessThan(position(calm))
    expect(position(calm)).toBeLessThan(position(suspended))
    expect(items[position(waiting)]).toMatchObject({ state: 'healthy', handoversWaiting: 1 })
    expect(items[position(calm)]).toMatchObject({ state: 'healthy', failingNow: 0, ordersImported24h: 1 })
    expect(items[position(suspended)]).toMatchObject({ state: 'suspended', deadLetters: 1 })
    expect(items.findIndex((item) => item.state === 'suspended')).toBeGreaterThan(
      items.findLastIndex((item) => item.state !== 'suspended')
    )
    const first = await apiJson<Overview>('/api/v1/admin/overview?limit=2', { token: ADMIN_TOKEN })
    expect(first.total).toBe(items.length)
  })

  it('is the operator’s alone, and refuses unknown parameters', async () => {
    expect((await api('/api/v1/admin/overview', { token: busy.token })).status).toBe(403)
    expect((await api('/api/v1/admin/overview?tenant=x', { token: ADMIN_TOKEN })).status).toBe(400)
    expect((await api('/api/v1/admin/overview?page=0', { token: ADMIN_TOKEN })).status).toBe(400)
  })

  it('reads every table through an index, in one statement for the page', async () => {
    const statements: { query: string; values: unknown[] }[] = []
    const recording = new Proxy(env.DB, {
      get(target, key) {
        if (key !== 'prepare') return Reflect.get(target, key)
        return (query: string) => {
          const entry = { query, values: [] as unknown[] }
          statements.push(entry)
          const statement = target.prepare(query)
          return new Proxy(statement, {
            get(inner, name) {
              if (name === 'bind') return (...values: unknown[]) => ((entry.values = values), inner.bind(...values))
              const value = Reflect.get(inner, name)
              return typeof value === 'function' ? value.bind(inner) : value
            },
          })
        }
      },
    })
    const db = database(recording)
    await tenantOverview(db, { limit: 50, offset: 0 })
    await tenantActivity(db, [busy.id, calm.id], 'week')
    expect(statements).toHaveLength(2)
    const plans: string[] = []
    for (const { query, values } of statements) {
      const plan = await env.DB.prepare(`explain query plan ${query}`)
        .bind(...values)
        .all<{ detail: string }>()
      const fullScans = plan.results
        .map((row) => row.detail)
        .filter((detail) => /^SCAN /.test(detail) && !/USING (COVERING )?INDEX/.test(detail))
        // The statement's own parts (subqueries, CTEs) are read whole; they are small and built on indexes.
        .filter(
          (detail) =>
            !/^SCAN (CONSTANT ROW|json_each|\(subquery-\d+\)|(ranked|live|steps?|failed_\w+|letters|open_handovers|failing_polls)\b)/.test(
              detail
            )
        )
      // The tenants themselves are read whole (they are what is ranked); nothing else is.
      expect(fullScans.filter((detail) => !/^SCAN tenants\b/.test(detail))).toEqual([])
      plans.push(...plan.results.map((row) => row.detail))
    }
    // Each count on the index that holds just what it counts.
    for (const index of ['outbound_calls_failed', 'sync_jobs_failed', 'orders_tenant_imported', 'import_log_result'])
      expect(plans.join('\n')).toContain(index)
  })
})

describe('issue 19: the activity read model', () => {
  it('counts orders imported and failures per connection and hour, empty hours as zero', async () => {
    const { connections, total } = await connectionActivity(database(env.DB), busy.id, 'day', new Date(NOW))
    expect(connections.map((entry) => entry.id).sort()).toEqual([`con_shop_${busy.id}`, `con_wemalo_${busy.id}`])
    for (const entry of connections) expect(entry.buckets).toHaveLength(24)
    const shop = connections.find((entry) => entry.id === `con_shop_${busy.id}`)!
    const wemalo = connections.find((entry) => entry.id === `con_wemalo_${busy.id}`)!
    const sum = (buckets: { imported: number; failed: number }[], key: 'imported' | 'failed') =>
      buckets.reduce((count, bucket) => count + bucket[key], 0)
    expect(sum(shop.buckets, 'imported')).toBe(2) // not the order of three days ago
    expect(sum(shop.buckets, 'failed')).toBe(2) // the import-log line and the poll of the last 24 h
    expect(sum(wemalo.buckets, 'failed')).toBe(2)
    expect(shop.buckets.filter((bucket) => bucket.imported === 0 && bucket.failed === 0).length).toBeGreaterThan(18)
    const hourOf = (minutesAgo: number) => ago(minutesAgo).slice(0, 13)
    expect(shop.buckets.find((bucket) => bucket.start.startsWith(hourOf(5)))?.imported).toBeGreaterThanOrEqual(1)
    expect(sum(total, 'imported')).toBe(2)
    expect(sum(total, 'failed')).toBe(4)

    const week = await connectionActivity(database(env.DB), busy.id, 'week', new Date(NOW))
    const weekShop = week.connections.find((entry) => entry.id === `con_shop_${busy.id}`)!
    expect(weekShop.buckets).toHaveLength(7)
    expect(sum(weekShop.buckets, 'imported')).toBe(3)
    expect(sum(weekShop.buckets, 'failed')).toBe(4) // with the write-back of two days ago and yesterday's line
  })

  it('counts per tenant for the overview, and a tenant without activity as all zero', async () => {
    const series = await tenantActivity(database(env.DB), [busy.id, waiting.id], 'day', new Date(NOW))
    expect(series.get(busy.id)!.reduce((count, bucket) => count + bucket.imported, 0)).toBe(2)
    expect(series.get(waiting.id)).toHaveLength(24)
    expect(series.get(waiting.id)!.every((bucket) => bucket.imported === 0 && bucket.failed === 0)).toBe(true)
  })
})
