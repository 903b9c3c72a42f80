/**
 * The operator's dashboard in a real browser: Debian's chromium driven by playwright-core
 * against the real Worker (test/node/browser.ts: wrangler's test harness, local D1 and Queues,
 * wrangler.toml, migrations applied). One Worker and one browser for the whole file.
 *
 * Tenants and tokens are made through the API; connections, orders and the rest are written
 * straight into D1 (no platform is contacted). Set KONTOR_SCREENSHOT=1 to refresh
 * docs/dashboard.png (it is written when missing).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KontorInBrowser, loads, SEEDED_AT, startKontorInBrowser } from './browser'

const root = path.resolve(import.meta.dirname, '../..')
const ADMIN_TOKEN = 'dashboard-admin-token'

let kontor: KontorInBrowser
let base: URL
let db: D1Database
let api: KontorInBrowser['api']
let run: KontorInBrowser['run']
let seedConnection: KontorInBrowser['seedConnection']
let signIn: KontorInBrowser['signIn']

type Tenant = { id: string; name: string; token: string }
let acme: Tenant
let globex: Tenant
let acmeReadOnlyToken: string
let acmeEndpointId: string

const T0 = SEEDED_AT
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString()

async function seedOrder(
  tenantId: string,
  connectionId: string,
  order: { id: string; number: string; externalId: string; status: string; total: string; customer: [string, string] }
) {
  const customerId = `cus_${order.id}`
  await run(
    `insert into customers (id, tenant_id, first_name, last_name, email, phone, updated_at) values (?, ?, ?, ?, ?, ?, ?)`,
    customerId,
    tenantId,
    order.customer[0],
    order.customer[1],
    `${order.customer[1].toLowerCase()}@example.com`,
    '+4930123456',
    T0
  )
  await run(
    `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
       status, total, customer_id, shipping_address, tracking, lines, content_hash, imported_at, changed_at)
     values (?, ?, ?, 'shopify', ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?, 'hash', ?, ?)`,
    order.id,
    tenantId,
    connectionId,
    order.externalId,
    order.number,
    at(1),
    at(2),
    order.status,
    order.total,
    customerId,
    JSON.stringify({ firstName: order.customer[0], lastName: order.customer[1], city: 'Berlin', country: 'DE' }),
    JSON.stringify(order.status === 'shipped' ? [{ number: '1Z999AA10123456784', carrier: 'UPS' }] : []),
    JSON.stringify([
      {
        id: `line_${order.id}`,
        externalId: null,
        productId: null,
        sku: 'MUG-01',
        code: '7001',
        name: 'Enamel mug',
        quantity: 2,
        currentQuantity: null,
        unitPrice: '12.50',
        total: '25.00',
      },
    ]),
    at(3),
    at(Number(order.externalId.slice(-2)))
  )
  await run(
    `insert into order_events (id, tenant_id, order_id, type, at, message, source) values (?, ?, ?, 'comment', ?, ?, 'platform')`,
    `evt_${order.id}_1`,
    tenantId,
    order.id,
    at(3),
    `Delivery: DHL, 4.90 EUR, ${order.customer[0]} ${order.customer[1]}, Berlin`
  )
}

// 401 and 404 answers are expected here (a wrong token, another tenant's order): browser.ts leaves
// refused resources out of the console errors.
const newPage = (token?: string) => kontor.newPage(token)

beforeAll(async () => {
  kontor = await startKontorInBrowser({ adminToken: ADMIN_TOKEN, vars: { RETRY_BASE_SECONDS: '0.2' } })
  ;({ base, db, api, run, seedConnection, signIn } = kontor)

  acme = await api<Tenant>('/api/v1/tenants', ADMIN_TOKEN, { name: 'Acme Coffee', currency: 'EUR' })
  globex = await api<Tenant>('/api/v1/tenants', ADMIN_TOKEN, { name: 'Globex Tea', currency: 'EUR' })
  acmeReadOnlyToken = (await api<{ token: string }>('/api/v1/tokens', acme.token, { scopes: ['read'] })).token

  await seedConnection(acme.id, 'con_acme_shop', 'shopify', 'Acme Shopify store')
  await seedConnection(acme.id, 'con_acme_woo', 'woocommerce', 'Acme WooCommerce')
  await seedConnection(globex.id, 'con_globex_shop', 'shopify', 'Globex Shopify store')
  await seedOrder(acme.id, 'con_acme_shop', {
    id: 'ord_acme_1',
    number: '#1001',
    externalId: '5551001',
    status: 'shipped',
    total: '29.90',
    customer: ['Anna', 'Müller'],
  })
  await seedOrder(acme.id, 'con_acme_shop', {
    id: 'ord_acme_2',
    number: '#1002',
    externalId: '5551002',
    status: 'new',
    total: '54.00',
    customer: ['Bernd', 'Schmidt'],
  })
  await seedOrder(globex.id, 'con_globex_shop', {
    id: 'ord_globex_1',
    number: '#G-7',
    externalId: '8880007',
    status: 'new',
    total: '12.00',
    customer: ['Greta', 'Globex'],
  })
  await run(
    `insert into order_events (id, tenant_id, order_id, type, at, data, source) values ('evt_ord_acme_1_2', ?, 'ord_acme_1', 'shipped', ?, ?, 'api')`,
    acme.id,
    at(30),
    JSON.stringify({ tracking: [{ number: '1Z999AA10123456784', carrier: 'UPS' }] })
  )
  await run(
    `insert into outbound_calls (id, tenant_id, connection_id, order_id, action, result, detail, at)
     values ('call_1', ?, 'con_acme_shop', 'ord_acme_1', 'fulfilment', 'done', 'fulfilment 4401 created', ?)`,
    acme.id,
    at(31)
  )
  await run(
    `insert into import_log (id, tenant_id, connection_id, kind, external_id, result, rule, reason, at) values
       ('log_1', ?, 'con_acme_shop', 'order', '5551001', 'created', null, null, ?),
       ('log_2', ?, 'con_acme_woo', 'order', '777', 'rejected', 'WC2', 'no products', ?),
       ('log_3', ?, 'con_acme_shop', 'order', '5551003', 'rejected', 'G4', 'USD is not EUR', ?),
       ('log_4', ?, 'con_acme_woo', 'order', '778', 'failed', null, 'the shop answered 500', ?)`,
    acme.id,
    at(3),
    acme.id,
    at(4),
    acme.id,
    at(5),
    acme.id,
    at(6)
  )
  await run(
    `insert into sync_jobs (id, tenant_id, connection_id, mode, status, pages, records, started_at, finished_at) values
       ('job_poll', ?, 'con_acme_shop', 'poll', 'done', 1, 2, ?, ?),
       ('job_backfill', ?, 'con_acme_woo', 'backfill', 'running', 3, 150, ?, null)`,
    acme.id,
    at(40),
    at(41),
    acme.id,
    at(42)
  )
  // A processed webhook delivery: the connection's last webhook, and a harmless message to replay.
  await run(
    `insert into inbox (id, connection_id, delivery_key, topic, body, received_at, processed_at)
     values ('inb_1', 'con_acme_shop', 'delivery-1', 'orders/create', '{}', ?, ?)`,
    at(20),
    at(20)
  )
  await run(
    `insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values
       ('dl_acme_1', ?, 'ingest', '{"type":"webhook","inboxId":"inb_1"}', 'RetryableError: shop answered 503', 6, ?),
       ('dl_acme_2', ?, 'ingest', '{"type":"webhook","inboxId":"inb_1"}', 'RetryableError: shop answered 502', 6, ?),
       ('dl_acme_old', ?, 'ingest', '{"type":"webhook","inboxId":"inb_1"}', 'RetryableError: timeout', 6, ?),
       ('dl_globex_1', ?, 'ingest', '{"type":"webhook","inboxId":"inb_1"}', 'RetryableError: shop answered 500', 6, ?)`,
    acme.id,
    at(50),
    acme.id,
    at(55),
    acme.id,
    at(-600),
    globex.id,
    at(52)
  )

  // A hub endpoint with a delivery that failed once (500) and then went through (204).
  acmeEndpointId = (
    await api<{ id: string }>('/api/v1/webhook-endpoints', acme.token, {
      url: 'https://hooks.acme.example/kontor',
      events: ['*'],
    })
  ).id
  await run(
    `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_key, type, order_id, state, attempts, last_status, created_at, updated_at)
     values ('whd_acme_1', ?, ?, 'key-1', 'order.shipped', 'ord_acme_1', 'delivered', 2, 204, ?, ?)`,
    acme.id,
    acmeEndpointId,
    at(30),
    at(32)
  )
  await run(
    `insert into webhook_delivery_attempts (id, tenant_id, delivery_id, at, status, error, duration_ms, response) values
       ('wha_1', ?, 'whd_acme_1', ?, 500, 'hooks.acme.example answered 500', 41, 'upstream exploded'),
       ('wha_2', ?, 'whd_acme_1', ?, 204, null, 12, null)`,
    acme.id,
    at(31),
    acme.id,
    at(32)
  )
})

afterAll(async () => {
  await kontor?.close()
})

describe('dashboard', () => {
  it('asks for a token, refuses a wrong one, and signs in and out with a tenant token', async () => {
    const page = await newPage()
    await page.goto(base.href)
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await page.fill('input[name=token]', 'kt_not-a-token')
    await loads(page, () => page.click('button[type=submit]'))
    await expect.poll(() => page.textContent('.error')).toContain('not valid')

    await signIn(page, acme.token)
    const cookies = await page.context().cookies()
    const session = cookies.find((cookie) => cookie.name === 'kontor_session')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    expect(await page.textContent('h1')).toBe('Connections')
    const shop = page.locator('tr[data-connection=con_acme_shop]')
    expect(await shop.textContent()).toContain('Acme Shopify store')
    expect(await shop.textContent()).toContain('2026-11-20 09:20:00 UTC') // last webhook
    expect(await shop.locator('td').nth(6).textContent()).toBe('3') // pending dead letters of its deliveries
    const woo = page.locator('tr[data-connection=con_acme_woo]')
    expect(await woo.locator('progress').count()).toBe(1)
    expect(await woo.textContent()).toContain('3 pages, 150 records')

    await Promise.all([page.waitForURL((url) => url.pathname === '/sign-in'), page.click('text=Sign out')])
    await page.goto(new URL('/orders', base).href)
    expect(new URL(page.url()).pathname).toBe('/sign-in')
  })

  it('lists orders with filters and shows one with lines, customer, events, tracking and calls', async () => {
    const page = await newPage(acme.token)
    await loads(page, () => page.click('nav >> text=Orders'))
    const rows = page.locator('#orders tbody tr')
    expect(await rows.count()).toBe(2)
    expect(await page.textContent('#orders')).not.toContain('#G-7')

    await page.fill('input[name=q]', 'müller')
    await loads(page, () => page.click('form.filters button[type=submit]'))
    expect(await rows.count()).toBe(1)
    expect(await rows.first().textContent()).toContain('Anna Müller')

    await page.goto(new URL('/orders?status=new', base).href)
    expect(await rows.count()).toBe(1)
    expect(await rows.first().textContent()).toContain('#1002')

    await page.goto(new URL('/orders', base).href)
    const listed = page.locator('#orders tbody tr', { hasText: '#1001' })
    const lastChange = await listed.locator('time').last().getAttribute('datetime')
    await loads(page, () => page.click('a:text-is("#1001")'))
    expect(await page.textContent('h1')).toBe('Order #1001')
    // Issue 19 finding 6: the order's "Last change" is the list's.
    expect(await page.locator('[data-last-change] time').getAttribute('datetime')).toBe(lastChange)
    expect(await page.textContent('#lines')).toContain('Enamel mug')
    expect(await page.textContent('#customer')).toContain('müller@example.com')
    expect(await page.textContent('#tracking')).toContain('1Z999AA10123456784')
    const events = await page.textContent('#events')
    expect(events).toContain('Delivery: DHL')
    expect(events).toContain('shipped')
    expect(await page.textContent('#outbound-calls')).toContain('fulfilment 4401 created')
  })

  it('shows the import log with the rule text beside its id, filtered by result and rule', async () => {
    const page = await newPage(acme.token)
    await page.goto(new URL('/import-log?result=rejected', base).href)
    expect(await page.locator('#import-log tbody tr').count()).toBe(2)
    await page.selectOption('select[name=rule]', 'WC2')
    await loads(page, () => page.click('form.filters button[type=submit]'))
    const rows = page.locator('#import-log tbody tr')
    expect(await rows.count()).toBe(1)
    expect(await rows.first().locator('.rule').textContent()).toMatch(/WC2 .*without products/)
  })

  it('issue 19 finding 8: import-log rows link to their orders, and the log filters by external id', async () => {
    const page = await newPage(acme.token)
    await page.goto(new URL('/import-log', base).href)
    await page.fill('input[name=externalId]', '5551001')
    await Promise.all([page.waitForURL(/externalId=5551001/), page.click('form.filters button[type=submit]')])
    const rows = page.locator('#import-log tbody tr')
    expect(await rows.count()).toBe(1)
    await Promise.all([page.waitForURL(/\/orders\/ord_acme_1$/), rows.first().locator('a').click()])
    expect(await page.textContent('h1')).toBe('Order #1001')
    // A line about an order the hub does not have (rejected) has no link.
    await page.goto(new URL('/import-log?externalId=5551003', base).href)
    expect(await rows.count()).toBe(1)
    expect(await rows.first().locator('a').count()).toBe(0)
  })

  it('issue 19 findings 2 and 3: a destination shows health as it is now, links to its outbound calls, and its last poll', async () => {
    const recent = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString()
    await seedConnection(acme.id, 'con_acme_wemalo', 'wemalo', 'Acme Wemalo')
    // Order 1's hand-over failed and then went through (recovered); order 2's keeps failing.
    await run(
      `insert into outbound_calls (id, tenant_id, connection_id, order_id, action, result, detail, at) values
         ('call_w1', ?, 'con_acme_wemalo', 'ord_acme_1', 'handover', 'failed', 'Wemalo answered 503', ?),
         ('call_w2', ?, 'con_acme_wemalo', 'ord_acme_1', 'handover', 'done', 'goods order 77', ?),
         ('call_w3', ?, 'con_acme_wemalo', 'ord_acme_2', 'handover', 'failed', 'Wemalo answered 503', ?),
         ('call_w4', ?, 'con_acme_wemalo', 'ord_acme_2', 'handover', 'failed', 'Wemalo answered 503', ?)`,
      acme.id,
      recent(30),
      acme.id,
      recent(20),
      acme.id,
      recent(15),
      acme.id,
      recent(5)
    )
    await run(
      `insert into sync_jobs (id, tenant_id, connection_id, mode, status, pages, records, started_at, finished_at)
       values ('job_wemalo_poll', ?, 'con_acme_wemalo', 'poll', 'done', 1, 1, ?, ?)`,
      acme.id,
      recent(2),
      recent(2)
    )
    const page = await newPage(acme.token)
    await page.goto(new URL('/', base).href)
    const row = page.locator('tr[data-connection=con_acme_wemalo]')
    const health = await row.locator('td[data-health]').textContent()
    expect(health).toContain('1 failing now')
    expect(health).toContain('1 recovered')
    expect(health).toContain('3 failures in 24 h')
    expect(await row.textContent()).not.toContain('never')
    await loads(page, () => row.locator('td[data-health] a').click())
    const calls = page.locator('#outbound-calls tbody tr')
    expect(await calls.count()).toBe(3)
    expect(await page.textContent('#outbound-calls')).toContain('Acme Wemalo')
    // A source with nothing failing reads healthy and links to its import log.
    await page.goto(new URL('/', base).href)
    const shop = page.locator('tr[data-connection=con_acme_shop] td[data-health]')
    expect(await shop.textContent()).toContain('healthy')
    expect(await shop.locator('a').getAttribute('href')).toContain('/import-log?connectionId=con_acme_shop')
  })

  it('replays a dead letter: the operator picks the tenant and clicks Replay', async () => {
    const readOnly = await newPage(acmeReadOnlyToken)
    await readOnly.goto(new URL('/dead-letters', base).href)
    expect(await readOnly.locator('tr[data-dead-letter=dl_acme_1] button').count()).toBe(0)
    // Without the admin scope the POST itself is refused too (it carries a valid CSRF token).
    const csrf = await readOnly.locator('header input[name=_csrf]').first().getAttribute('value')
    const refused = await readOnly.request.post(new URL('/dead-letters/dl_acme_1/replay', base).href, {
      form: { _csrf: csrf! },
      headers: { origin: base.origin },
    })
    expect(refused.status()).toBe(403)

    const page = await newPage(ADMIN_TOKEN)
    expect(await page.textContent('main')).toContain('Choose a tenant')
    await page.selectOption('#tenant-select', acme.id)
    await loads(page, () => page.click('form.tenant-picker button'))
    expect(await page.textContent('#connections')).toContain('Acme Shopify store')
    if (process.env.KONTOR_SCREENSHOT || !existsSync(path.join(root, 'docs/dashboard.png'))) {
      mkdirSync(path.join(root, 'docs'), { recursive: true })
      await page.setViewportSize({ width: 1280, height: 360 })
      writeFileSync(path.join(root, 'docs/dashboard.png'), await page.screenshot({ fullPage: true }))
      await page.setViewportSize({ width: 1280, height: 800 })
    }

    await loads(page, () => page.click('nav >> text=Dead letters'))
    const row = page.locator('tr[data-dead-letter=dl_acme_1]')
    expect(await row.locator('.state').textContent()).toContain('pending')
    await Promise.all([page.waitForURL(/replayed=1/), row.locator('button:text("Replay")').click()])
    expect(await page.textContent('.notice')).toContain('Replayed 1 message')
    expect(await row.locator('.state').textContent()).toContain('replayed')
    expect(await row.locator('button').count()).toBe(0)
    const stored = await db.prepare(`select replayed_at from dead_letters where id = 'dl_acme_1'`).first()
    expect(stored?.replayed_at).toBeTruthy()

    // Replay every pending one since a time: the chosen tenant's newer one only, not its older
    // one, not another tenant's.
    await page.fill('input[name=since]', '2026-11-20T09:45:00')
    await loads(page, () => page.click('#replay-since button'))
    expect(await page.textContent('.notice')).toContain('Replayed 1 message')
    expect(await page.locator('tr[data-dead-letter=dl_acme_2] .state').textContent()).toContain('replayed')
    expect(await page.locator('tr[data-dead-letter=dl_acme_old] .state').textContent()).toContain('pending')
    expect(await page.locator('tr[data-dead-letter=dl_globex_1]').count()).toBe(0)
    const globexLetter = await db.prepare(`select replayed_at from dead_letters where id = 'dl_globex_1'`).first()
    expect(globexLetter?.replayed_at).toBeNull()
  })

  it('refuses a form POST without the session CSRF token', async () => {
    const page = await newPage(ADMIN_TOKEN)
    const response = await page.request.post(new URL('/dead-letters/replay', base).href, {
      form: { since: '2026-01-01T00:00' },
      headers: { origin: base.origin },
    })
    expect(response.status()).toBe(403)
    const crossSite = await page.request.post(new URL('/sign-out', base).href, {
      form: { _csrf: 'whatever' },
      headers: { origin: 'https://evil.example' },
    })
    expect(crossSite.status()).toBe(403)
  })

  it("keeps a tenant to its own data: another tenant's orders, connections and dead letters stay hidden", async () => {
    const page = await newPage(globex.token)
    expect(await page.textContent('#connections')).toContain('Globex Shopify store')
    expect(await page.textContent('#connections')).not.toContain('Acme')
    expect(await page.textContent('header')).toContain('Globex Tea')
    await page.goto(new URL('/orders', base).href)
    expect(await page.textContent('#orders')).toContain('#G-7')
    expect(await page.textContent('#orders')).not.toContain('#1001')
    await page.goto(new URL('/orders?q=M%C3%BCller', base).href)
    expect(await page.locator('#no-orders').count()).toBe(1)
    const response = await page.goto(new URL('/orders/ord_acme_1', base).href)
    expect(response?.status()).toBe(404)
    expect(await page.textContent('main')).not.toContain('Enamel mug')
    await page.goto(new URL('/dead-letters', base).href)
    expect(await page.locator('tr[data-dead-letter=dl_globex_1]').count()).toBe(1)
    expect(await page.textContent('main')).not.toContain('dl_acme')
    await page.goto(new URL('/import-log', base).href)
    expect(await page.locator('#import-log').count()).toBe(0)
  })

  it('Tokens: creates a token shown once, lists it and revokes it at once', async () => {
    const page = await newPage(acme.token)
    await loads(page, () => page.click('nav >> text=Tokens'))
    expect(await page.textContent('#tokens')).toContain('first admin token')
    await page.fill('#create-token input[name=name]', 'nightly export')
    await loads(page, () => page.click('#create-token button[type=submit]'))
    const token = (await page.textContent('#new-token code'))!.trim()
    expect(token).toMatch(/^kt_/)
    const row = page.locator('#tokens tr', { hasText: 'nightly export' })
    expect(await row.textContent()).toContain('read')
    expect(await page.textContent('#tokens')).not.toContain(token)
    expect(
      (await fetch(new URL('/api/v1/orders', base), { headers: { authorization: `Bearer ${token}` } })).status
    ).toBe(200)
    // Shown once: the list does not show it again.
    await page.goto(new URL('/tokens', base).href)
    expect(await page.locator('#new-token').count()).toBe(0)
    await loads(page, () => page.locator('#tokens tr', { hasText: 'nightly export' }).locator('button').click())
    expect(await page.textContent('.notice')).toContain('revoked')
    expect(await page.locator('#tokens tr', { hasText: 'nightly export' }).count()).toBe(0)
    expect(
      (await fetch(new URL('/api/v1/orders', base), { headers: { authorization: `Bearer ${token}` } })).status
    ).toBe(401)
    // A read-only token is not allowed here.
    const readOnly = await newPage(acmeReadOnlyToken)
    expect((await readOnly.goto(new URL('/tokens', base).href))?.status()).toBe(403)
  })

  it('Hub endpoints: lists them, shows deliveries with every attempt, disables, rotates and replays', async () => {
    const page = await newPage(acme.token)
    await loads(page, () => page.click('nav >> text=Hub endpoints'))
    const row = page.locator(`tr[data-endpoint=${acmeEndpointId}]`)
    expect(await row.textContent()).toContain('https://hooks.acme.example/kontor')
    await loads(page, () => row.locator('button:text("Disable")').click())
    expect(await row.locator('.state').textContent()).toContain('disabled through the API')
    await loads(page, () => row.locator('button:text("Enable")').click())
    expect(await row.locator('.state').textContent()).toContain('enabled')

    await loads(page, () => row.locator('button:text("Rotate secret")').click())
    expect((await page.textContent('#new-secret code'))!.trim()).toMatch(/^whsec_/)
    await page.goto(new URL('/hub', base).href)
    expect(await page.locator('#new-secret').count()).toBe(0)

    await loads(page, () => page.click(`tr[data-endpoint=${acmeEndpointId}] a`))
    const delivery = page.locator('tr[data-delivery=whd_acme_1]')
    const attempts = delivery.locator('ol.attempts li')
    expect(await attempts.count()).toBe(2)
    expect(await attempts.nth(0).textContent()).toContain('500')
    expect(await attempts.nth(0).textContent()).toContain('upstream exploded')
    expect(await attempts.nth(1).textContent()).toContain('204')
    await loads(page, () => delivery.locator('button:text("Replay")').click())
    expect(await page.textContent('.notice')).toContain('queued again')
    const audit = await db
      .prepare(`select count(*) as n from audit_log where tenant_id = ? and action = 'webhook_delivery.replayed'`)
      .bind(acme.id)
      .first<{ n: number }>()
    expect(audit?.n).toBe(1)
  })

  it('Audit log: who did what to which id, filtered by action', async () => {
    const page = await newPage(acme.token)
    await loads(page, () => page.click('nav >> text=Audit log'))
    const log = await page.textContent('#audit-log')
    for (const action of ['token.revoked', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.changed'])
      expect(log).toContain(action)
    expect(log).not.toContain('whsec_')
    await page.selectOption('select[name=action]', 'token.created')
    await loads(page, () => page.click('form.filters button[type=submit]'))
    const rows = page.locator('#audit-log tbody tr')
    expect(await rows.count()).toBe(2) // the read-only token and "nightly export"
    expect(await rows.first().locator('.actor').textContent()).toMatch(/^token tok_/)
    // Another tenant sees none of it.
    const other = await newPage(globex.token)
    await other.goto(new URL('/audit-log', base).href)
    expect(await other.textContent('#audit-log')).toContain('Globex Tea')
    expect(await other.textContent('main')).not.toContain(acmeEndpointId)
    expect(await other.locator('#audit-log tbody tr').count()).toBe(1)
  })

  it('Tenants (operator): lists every tenant, suspends one at once and restores it', async () => {
    const initech = await api<Tenant>('/api/v1/tenants', ADMIN_TOKEN, { name: 'Initech Supplies', currency: 'EUR' })
    const tenantPage = await newPage(globex.token)
    expect(await tenantPage.locator('nav >> text=Tenants').count()).toBe(0)
    expect((await tenantPage.goto(new URL('/tenants', base).href))?.status()).toBe(403)

    const page = await newPage(ADMIN_TOKEN)
    await loads(page, () => page.click('nav >> text=Tenants'))
    for (const name of ['Acme Coffee', 'Globex Tea', 'Initech Supplies'])
      expect(await page.textContent('#tenants')).toContain(name)
    const row = page.locator(`tr[data-tenant=${initech.id}]`)
    await loads(page, () => row.locator('button:text("Suspend")').click())
    expect(await row.locator('.state').textContent()).toContain('suspended')
    const orders = () =>
      fetch(new URL('/api/v1/orders', base), { headers: { authorization: `Bearer ${initech.token}` } })
    expect((await orders()).status).toBe(401)
    await loads(page, () => row.locator('button:text("Restore")').click())
    expect(await row.locator('.state').textContent()).toContain('active')
    expect((await orders()).status).toBe(200)
  })

  // Last: it also checks what every page opened above requested and logged.
  it('serves its pages with a strict CSP, and they load nothing from elsewhere', async () => {
    const page = await newPage()
    const response = await page.goto(new URL('/sign-in', base).href)
    const csp = response?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toMatch(/style-src 'sha256-/)
    // The inline stylesheet is allowed by its hash: the page has its background colour.
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(246, 247, 249)')
    expect(kontor.foreignRequests).toEqual([])
    expect(kontor.consoleErrors).toEqual([])
  })
})
