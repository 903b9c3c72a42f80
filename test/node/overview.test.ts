/**
 * Issue 19 finding 7 and the picture, in a real browser (Debian's chromium through playwright-core)
 * against the real Worker (wrangler's test harness): the operator lands on the overview of every
 * tenant, worst first; each figure chooses its tenant and opens the list that holds it; a tenant
 * token never sees it; the connections page and the overview draw their activity as SVG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KontorInBrowser, startKontorInBrowser } from './browser'

const ADMIN_TOKEN = 'overview-admin-token'

let kontor: KontorInBrowser
let base: URL

type Tenant = { id: string; name: string; token: string }
let steady: Tenant
let troubled: Tenant

const api = <T>(pathname: string, token: string, body?: unknown) => kontor.api<T>(pathname, token, body)
const run = (sql: string, ...values: unknown[]) => kontor.run(sql, ...values)

const NOW = Date.now()
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString()
/** When the steady tenant's orders were imported, in minutes ago. */
const STEADY_ORDERS = [5, 70, 75]

async function seedConnection(tenantId: string, id: string, platform: string, name: string) {
  await run(
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
     values (?, ?, ?, ?, 'not-a-real-secret', '{}', '[]', ?, ?)`,
    id,
    tenantId,
    platform,
    name,
    ago(20_000),
    ago(20_000)
  )
}

async function seedOrder(tenantId: string, connectionId: string, id: string, importedAt: string) {
  await run(
    `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
       status, total, content_hash, imported_at, changed_at)
     values (?, ?, ?, 'shopify', ?, ?, ?, ?, 'EUR', 'new', '10.00', 'hash', ?, ?)`,
    id,
    tenantId,
    connectionId,
    id,
    `#${id}`,
    importedAt,
    importedAt,
    importedAt,
    importedAt
  )
}

const newPage = (token?: string) => kontor.newPage(token)

beforeAll(async () => {
  kontor = await startKontorInBrowser({ adminToken: ADMIN_TOKEN })
  base = kontor.base

  steady = await api<Tenant>('/api/v1/tenants', ADMIN_TOKEN, { name: 'Steady Shoes', currency: 'EUR' })
  troubled = await api<Tenant>('/api/v1/tenants', ADMIN_TOKEN, { name: 'Troubled Tea', currency: 'EUR' })

  await seedConnection(steady.id, 'con_steady_shop', 'shopify', 'Steady Shopify store')
  for (const minutes of STEADY_ORDERS) await seedOrder(steady.id, 'con_steady_shop', `ord_s_${minutes}`, ago(minutes))

  await seedConnection(troubled.id, 'con_troubled_woo', 'woocommerce', 'Troubled WooCommerce')
  await seedOrder(troubled.id, 'con_troubled_woo', 'ord_t_1', ago(30))
  // The latest poll failed, an import failed, and a dead letter waits for its replay.
  await run(
    `insert into sync_jobs (id, tenant_id, connection_id, mode, status, error, started_at, finished_at)
     values ('job_t', ?, 'con_troubled_woo', 'poll', 'failed', 'the site answered 500', ?, ?)`,
    troubled.id,
    ago(3),
    ago(3)
  )
  await run(
    `insert into import_log (id, tenant_id, connection_id, kind, external_id, result, reason, at)
     values ('log_t', ?, 'con_troubled_woo', 'order', '778', 'failed', 'the site answered 500', ?)`,
    troubled.id,
    ago(3)
  )
  await run(
    `insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at)
     values ('dl_troubled', ?, 'ingest', '{"type":"webhook"}', 'RetryableError: the site answered 503', 6, ?)`,
    troubled.id,
    ago(2)
  )
})

afterAll(async () => {
  await kontor?.close()
})

describe('issue 19 finding 7: the operator overview', () => {
  it('is where the operator lands: every tenant, worst first, with its figures and its last 24 hours', async () => {
    const page = await newPage(ADMIN_TOKEN)
    expect(await page.textContent('h1')).toBe('Overview')
    expect(await page.getAttribute('nav a[href="/overview"]', 'aria-current')).toBe('page')
    const rows = page.locator('#overview tbody tr')
    expect(await rows.count()).toBe(2)
    expect(await rows.nth(0).getAttribute('data-tenant')).toBe(troubled.id)
    expect(await rows.nth(1).getAttribute('data-tenant')).toBe(steady.id)
    const worst = rows.nth(0)
    expect(await worst.locator('.state').textContent()).toContain('failing')
    expect(await worst.locator('[data-figure=health]').textContent()).toContain('1 failing now')
    expect(await worst.locator('[data-figure=health]').textContent()).toContain('2 failures in 24 h')
    expect(await worst.locator('[data-figure=dead-letters]').textContent()).toContain('1 pending')
    expect(await rows.nth(1).locator('.state').textContent()).toContain('healthy')
    expect(await rows.nth(1).locator('[data-figure=orders]').textContent()).toBe('3')
    // Each row's chart: an SVG image named for screen readers, with the day's totals.
    const chart = rows.nth(1).locator('svg[role=img]')
    expect(await chart.locator('title').first().textContent()).toBe(
      'Steady Shoes: orders imported and failures, last 24 hours'
    )
    expect(await chart.locator('desc').textContent()).toContain('3 orders imported, 0 failures')
    expect(await chart.locator('g[data-bucket]').count()).toBe(24)
    const tallBars = await chart
      .locator('rect.imported')
      .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('height'))).filter((height) => height > 0))
    // One bar per hour that had an order (70 and 75 minutes ago may fall in one hour or two).
    expect(tallBars).toHaveLength(new Set(STEADY_ORDERS.map((minutes) => ago(minutes).slice(0, 13))).size)
  })

  it('follows a figure: chooses that tenant and opens the list that holds it', async () => {
    const page = await newPage(ADMIN_TOKEN)
    const row = page.locator(`#overview tr[data-tenant=${troubled.id}]`)
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/dead-letters'),
      row.locator('[data-figure=dead-letters] a').click(),
    ])
    expect(new URL(page.url()).search).toBe('?pending=1')
    expect(await page.locator('#tenant-select').inputValue()).toBe(troubled.id)
    expect(await page.locator('tr[data-dead-letter=dl_troubled]').count()).toBe(1)

    await Promise.all([page.waitForURL((url) => url.pathname === '/overview'), page.click('nav >> text=Overview')])
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/'),
      page.locator(`#overview tr[data-tenant=${steady.id}] [data-figure=health] a`).first().click(),
    ])
    expect(await page.textContent('h1')).toBe('Connections')
    expect(await page.textContent('#connections')).toContain('Steady Shopify store')

    // Only a path of this dashboard: another site is never the target.
    await page.goto(new URL(`/tenant/${troubled.id}?to=//evil.example/x`, base).href)
    expect(new URL(page.url()).origin).toBe(base.origin)
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.locator('#tenant-select').inputValue()).toBe(troubled.id)
  })

  it('is not for a tenant token: it sees its own connections page, and no tenant switch', async () => {
    const page = await newPage(steady.token)
    expect(await page.textContent('h1')).toBe('Connections')
    expect(await page.locator('nav >> text=Overview').count()).toBe(0)
    await page.goto(new URL('/overview', base).href)
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.textContent('h1')).toBe('Connections')
    const response = await page.goto(new URL(`/tenant/${troubled.id}?to=/orders`, base).href)
    expect(response?.status()).toBe(403)
  })

  it("draws each connection's orders and failures over 24 hours and 7 days on the connections page", async () => {
    const page = await newPage(troubled.token)
    const section = page.locator('#activity')
    expect(await section.locator('tr[data-activity]').count()).toBe(2) // all connections, and the one
    const row = section.locator('tr[data-activity=con_troubled_woo]')
    const day = row.locator('svg[role=img]').nth(0)
    const week = row.locator('svg[role=img]').nth(1)
    expect(await day.locator('desc').textContent()).toBe(
      '1 orders imported, 2 failures, last 24 hours, by the hour (UTC)'
    )
    expect(await week.locator('g[data-bucket]').count()).toBe(7)
    const hour = ago(3).slice(0, 13)
    expect(await day.locator(`g[data-bucket^="${hour}"] title`).textContent()).toMatch(/2 failed$/)
    // The figures as a table, for whoever does not see the picture.
    await row.locator('details summary').first().click()
    expect(await row.locator('table.chart-figures').first().locator('tbody tr').count()).toBe(24)
  })

  // Last: what every page above requested and logged.
  it('loads nothing from elsewhere and breaks no CSP rule', () => {
    expect(kontor.foreignRequests).toEqual([])
    expect(kontor.consoleErrors).toEqual([])
  })
})
