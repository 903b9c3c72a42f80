/**
 * The Stock page (ST5) in a real browser: Debian's chromium driven by playwright-core against
 * the real Worker (wrangler's test harness, local D1, migrations applied), as dashboard.test.ts
 * does. Stock rows are written straight into D1 (no platform is contacted).
 */
import path from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestHarness, type TestHarness } from 'wrangler'

const root = path.resolve(import.meta.dirname, '../..')
const ADMIN_TOKEN = 'stock-page-admin-token'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const T0 = '2026-11-20T09:00:00.000Z'

let server: TestHarness
let base: URL
let db: D1Database
let browser: Browser
let tenant: { id: string; token: string }
let other: { id: string; token: string }

async function api<T>(pathname: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(pathname, base), {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${text}`)
  return JSON.parse(text) as T
}

async function run(sql: string, ...values: unknown[]) {
  await db
    .prepare(sql)
    .bind(...values)
    .run()
}

async function seedConnection(tenantId: string, id: string, platform: string, name: string) {
  await run(
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
     values (?, ?, ?, ?, 'not-a-real-secret', '{}', '[]', ?, ?)`,
    id,
    tenantId,
    platform,
    name,
    T0,
    T0
  )
}

async function seedLevel(tenantId: string, sku: string, physical: number, reserved: number, inFlight: number) {
  await run(
    `insert into stock_levels (warehouse_id, sku, tenant_id, physical, reserved, not_reserved, in_flight, revision, read_at, changed_at)
     values (?, ?, ?, ?, ?, ?, ?, 2, ?, ?)`,
    `con_${tenantId}_wemalo`,
    sku,
    tenantId,
    physical,
    reserved,
    physical - reserved,
    inFlight,
    T0,
    T0
  )
}

async function seedWrite(
  tenantId: string,
  channel: string,
  sku: string,
  quantity: number,
  channelQuantity: number | null
) {
  await run(
    `insert into stock_writes (channel_id, sku, tenant_id, warehouse_id, quantity, revision, written_at, channel_quantity, reconciled_at)
     values (?, ?, ?, ?, ?, 2, ?, ?, ?)`,
    channel,
    sku,
    tenantId,
    `con_${tenantId}_wemalo`,
    quantity,
    T0,
    channelQuantity,
    channelQuantity === null ? null : T0
  )
}

async function signedInPage(token: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(new URL('/sign-in', base).href)
  await page.fill('input[name=token]', token)
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')])
  return page
}

beforeAll(async () => {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'
  server = createTestHarness({
    root,
    workers: [
      {
        configPath: './wrangler.toml',
        secrets: { ADMIN_TOKEN, ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' },
        vars: { ALLOW_INSECURE_URLS: 'false' },
      },
    ],
  })
  ;({ url: base } = await server.listen())
  const worker = server.getWorker()
  await worker.applyD1Migrations('DB')
  db = ((await worker.getEnv()) as { DB: D1Database }).DB
  tenant = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Stock GmbH', currency: 'EUR' })
  other = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Other GmbH', currency: 'EUR' })
  await seedConnection(tenant.id, `con_${tenant.id}_wemalo`, 'wemalo', 'Warehouse')
  await seedConnection(tenant.id, 'con_stock_billbee', 'billbee', 'Billbee back-end')
  await seedConnection(tenant.id, 'con_stock_shop', 'shopify', 'Shopify store')
  await seedLevel(tenant.id, 'MUG-01', 12, 2, 1)
  await seedLevel(tenant.id, 'MUG-02', 5, 0, 0)
  await seedLevel(tenant.id, 'TEA-01', 40, 0, 0)
  await seedWrite(tenant.id, 'con_stock_billbee', 'MUG-01', 9, 9)
  await seedWrite(tenant.id, 'con_stock_shop', 'MUG-01', 9, 7) // drifted: Shopify shows 7
  await seedWrite(tenant.id, 'con_stock_billbee', 'MUG-02', 5, null)
  await seedLevel(other.id, 'MUG-01', 99, 0, 0)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('Stock page (ST5)', () => {
  it('ST5: lists the SKUs with Wemalo figures, sellable quantity and each channel, drift highlighted', async () => {
    const page = await signedInPage(tenant.token)
    await Promise.all([page.waitForEvent('load'), page.click('header nav a[href="/stock"]')])
    expect(
      await page.locator('#stock tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-sku')))
    ).toEqual(['MUG-01', 'MUG-02', 'TEA-01'])
    const mug = page.locator('#stock tr[data-sku="MUG-01"]')
    expect(await mug.getAttribute('class')).toBe('drift')
    const cells = await mug.locator('td').allInnerTexts()
    expect(cells[1]).toBe('12 / 2 / 10')
    expect(cells[2]).toBe('1')
    expect(cells[3]).toBe('9')
    const shopify = mug.locator('li[data-channel="shopify"]')
    expect(await shopify.getAttribute('class')).toBe('bad')
    expect(await shopify.innerText()).toContain('channel has 7 — drift')
    expect(await mug.locator('li[data-channel="billbee"]').getAttribute('class')).toBeNull()
    expect(await page.locator('#stock tr[data-sku="MUG-02"]').getAttribute('class')).toBeNull()
  })

  it('ST5: search by SKU, and drift only', async () => {
    const page = await signedInPage(tenant.token)
    await page.goto(new URL('/stock', base).href)
    await page.fill('input[name=sku]', 'mug-0')
    await Promise.all([page.waitForEvent('load'), page.click('form.filters button[type=submit]')])
    // SQLite's LIKE ignores ASCII case: mug-0 finds MUG-01 and MUG-02.
    expect(await page.locator('#stock tbody tr').count()).toBe(2)
    await page.check('input[name=drift]')
    await Promise.all([page.waitForEvent('load'), page.click('form.filters button[type=submit]')])
    expect(
      await page.locator('#stock tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-sku')))
    ).toEqual(['MUG-01'])
    expect(new URL(page.url()).search).toContain('drift=true')
  })

  it('ST5: another tenant sees only its own stock', async () => {
    const page = await signedInPage(other.token)
    await page.goto(new URL('/stock', base).href)
    const cells = await page.locator('#stock tr[data-sku="MUG-01"] td').allInnerTexts()
    expect(cells[1]).toBe('99 / 0 / 99')
    expect(await page.locator('#stock tbody tr').count()).toBe(1)
  })
})
