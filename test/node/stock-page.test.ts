/**
 * The Stock page (ST5) in a real browser: Debian's chromium driven by playwright-core against
 * the real Worker (test/node/browser.ts: wrangler's test harness, local D1, migrations applied).
 * Stock rows are written straight into D1 (no platform is contacted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KontorInBrowser, SEEDED_AT, startKontorInBrowser } from './browser'

const ADMIN_TOKEN = 'stock-page-admin-token'
const T0 = SEEDED_AT

let kontor: KontorInBrowser
let base: URL
let api: KontorInBrowser['api']
let run: KontorInBrowser['run']
let tenant: { id: string; token: string }
let other: { id: string; token: string }

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

const signedInPage = (token: string) => kontor.newPage(token)

beforeAll(async () => {
  kontor = await startKontorInBrowser({ adminToken: ADMIN_TOKEN })
  ;({ base, api, run } = kontor)
  tenant = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Stock GmbH', currency: 'EUR' })
  other = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Other GmbH', currency: 'EUR' })
  await kontor.seedConnection(tenant.id, `con_${tenant.id}_wemalo`, 'wemalo', 'Warehouse')
  await kontor.seedConnection(tenant.id, 'con_stock_billbee', 'billbee', 'Billbee back-end')
  await kontor.seedConnection(tenant.id, 'con_stock_shop', 'shopify', 'Shopify store')
  await seedLevel(tenant.id, 'MUG-01', 12, 2, 1)
  await seedLevel(tenant.id, 'MUG-02', 5, 0, 0)
  await seedLevel(tenant.id, 'TEA-01', 40, 0, 0)
  await seedWrite(tenant.id, 'con_stock_billbee', 'MUG-01', 9, 9)
  await seedWrite(tenant.id, 'con_stock_shop', 'MUG-01', 9, 7) // drifted: Shopify shows 7
  await seedWrite(tenant.id, 'con_stock_billbee', 'MUG-02', 5, null)
  await seedLevel(other.id, 'MUG-01', 99, 0, 0)
}, 180_000)

afterAll(async () => {
  await kontor?.close()
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
