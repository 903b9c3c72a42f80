/**
 * The operator's lists in a real browser (issue 19, findings 4–6): dead letters that say what
 * they are about and replay by connection, step or error; the orders list with each order's
 * hand-over and write-back state, filtered by them; names, linked, where ids were. Debian's
 * chromium driven by playwright-core against the real Worker (wrangler's test harness: local D1
 * and Queues, migrations applied), started as in dashboard.test.ts. Rows are written straight
 * into D1; no platform is contacted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KontorInBrowser, loads, SEEDED_AT, startKontorInBrowser } from './browser'

const ADMIN_TOKEN = 'operator-lists-admin-token'
const T0 = SEEDED_AT
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString()

let kontor: KontorInBrowser
let base: URL
let tenant: { id: string; token: string }
let endpointId: string

const api = <T>(pathname: string, token: string, body?: unknown) => kontor.api<T>(pathname, token, body)
const run = (sql: string, ...values: unknown[]) => kontor.run(sql, ...values)
const seedConnection = (id: string, platform: string, name: string) =>
  kontor.seedConnection(tenant.id, id, platform, name)

async function seedOrder(id: string, number: string, status: string, minute: number) {
  await run(
    `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
       status, total, content_hash, imported_at, changed_at)
     values (?, ?, 'con_shop', 'shopify', ?, ?, ?, ?, 'EUR', ?, '20.00', 'hash', ?, ?)`,
    id,
    tenant.id,
    id,
    number,
    T0,
    T0,
    status,
    T0,
    at(minute)
  )
}

async function seedDeadLetter(id: string, queue: string, body: unknown, error: string, minute: number) {
  await run(
    'insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, ?, ?, ?, 6, ?)',
    id,
    tenant.id,
    queue,
    JSON.stringify(body),
    error,
    at(minute)
  )
}

/** The dead letters replays sent, from their audit trail (a replayed message may fail and reopen). */
async function replayed(): Promise<string[]> {
  const { results } = await kontor.db
    .prepare(`select target_id from audit_log where action = 'dead_letter.replayed' and tenant_id = ?`)
    .bind(tenant.id)
    .all<{ target_id: string }>()
  return results.map((row) => row.target_id).sort()
}

const newPage = () => kontor.newPage(tenant.token)

beforeAll(async () => {
  // Replayed messages fail again (no platform here): let their retries take long.
  kontor = await startKontorInBrowser({ adminToken: ADMIN_TOKEN, vars: { RETRY_BASE_SECONDS: '600' } })
  base = kontor.base
  tenant = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Acme Lists', currency: 'EUR' })
  endpointId = (
    await api<{ id: string }>('/api/v1/webhook-endpoints', tenant.token, {
      url: 'https://erp.acme.example/kontor',
      events: ['*'],
    })
  ).id

  await seedConnection('con_shop', 'shopify', 'Acme Shopify')
  await seedConnection('con_wh', 'wemalo', 'Acme Wemalo')
  // #2001: handed over to the warehouse, which reported it packed; its hub delivery went out.
  await seedOrder('ord_handed', '#2001', 'new', 10)
  await run(
    `insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at)
     values ('hov_1', ?, 'ord_handed', 'con_wh', 'sent', ?, ?)`,
    tenant.id,
    at(10),
    at(10)
  )
  await run(
    `insert into order_events (id, tenant_id, order_id, type, at, message, source) values ('evt_packed', ?, 'ord_handed', 'comment', ?, 'packed', 'con_wh')`,
    tenant.id,
    at(11)
  )
  await run(
    `insert into outbound_calls (id, tenant_id, connection_id, order_id, action, result, detail, at) values
       ('out_hub', ?, ?, 'ord_handed', 'hub-webhook:order.comment', 'done', 'answered 204', ?),
       ('out_wh', ?, 'con_wh', 'ord_handed', 'handover:wemalo', 'done', 'goods order created', ?)`,
    tenant.id,
    endpointId,
    at(12),
    tenant.id,
    at(10)
  )
  // #2002: shipped, and its write-back to Shopify keeps failing.
  await seedOrder('ord_failing', '#2002', 'shipped', 20)
  await run(
    `insert into order_events (id, tenant_id, order_id, type, at, source, sync_queued_at) values ('evt_shipped', ?, 'ord_failing', 'shipped', ?, 'api', ?)`,
    tenant.id,
    at(20),
    at(20)
  )
  await run(
    `insert into outbound_calls (id, tenant_id, connection_id, order_id, step_key, action, result, detail, attempts, at)
     values ('out_wb', ?, 'con_shop', 'ord_failing', 'write-back:evt_shipped', 'write-back:shipped', 'failed', 'RetryableError: Shopify answered 503', 6, ?)`,
    tenant.id,
    at(21)
  )
  // #2003: nothing beyond the import.
  await seedOrder('ord_plain', '#2003', 'new', 30)

  await run(
    `insert into inbox (id, connection_id, delivery_key, topic, body, received_at) values ('inb_bad', 'con_shop', 'delivery-77', 'orders/create', '{', ?)`,
    at(5)
  )
  await seedDeadLetter(
    'dl_write_back',
    'sync',
    { type: 'write-back', eventId: 'evt_shipped' },
    'RetryableError: Shopify answered 503',
    40
  )
  await seedDeadLetter(
    'dl_handover',
    'dispatch',
    { type: 'handover', handoverId: 'hov_1' },
    'FinalError: Wemalo refused the goods order: SKU unknown',
    41
  )
  await seedDeadLetter(
    'dl_import',
    'ingest',
    { type: 'webhook', inboxId: 'inb_bad' },
    'SyntaxError: Expected property name or } in JSON at position 1',
    42
  )
  await seedDeadLetter(
    'dl_stock',
    'dispatch',
    { type: 'stock-push', warehouseId: 'con_wh', jobId: null },
    'RetryableError: Shopify answered 503',
    43
  )
})

afterAll(async () => {
  await kontor?.close()
})

describe('operator lists', () => {
  it('the orders list shows and filters the hand-over and write-back state', async () => {
    const page = await newPage()
    await loads(page, () => page.click('nav >> text=Orders'))
    const row = (id: string) => page.locator(`#orders tr[data-order=${id}]`)
    expect(await row('ord_handed').locator('td.handover').textContent()).toBe('sent')
    // The warehouse's report is written back to the shop too; it has not run yet.
    expect(await row('ord_handed').locator('td.write-back').textContent()).toBe('pending')
    expect(await row('ord_plain').locator('td.write-back').textContent()).toBe('none')
    expect(await row('ord_failing').locator('td.write-back').textContent()).toBe('failing')
    expect(await row('ord_plain').locator('td.handover').textContent()).toBe('none')
    expect(await row('ord_handed').locator('a[data-target=con_shop]').getAttribute('title')).toBe('con_shop')

    await page.selectOption('select[name=writeBack]', 'failing')
    await loads(page, () => page.click('form.filters button[type=submit]'))
    expect(new URL(page.url()).searchParams.get('writeBack')).toBe('failing')
    expect(await page.locator('#orders tbody tr').count()).toBe(1)
    expect(await page.textContent('#orders')).toContain('#2002')

    await page.selectOption('select[name=writeBack]', '')
    await page.selectOption('select[name=handover]', 'sent')
    await loads(page, () => page.click('form.filters button[type=submit]'))
    expect(await page.locator('#orders tbody tr').count()).toBe(1)
    expect(await page.textContent('#orders')).toContain('#2001')
  })

  it('names the connections and hub endpoints of events and outbound calls, linked, with the id in the title', async () => {
    const page = await newPage()
    await page.goto(new URL('/orders/ord_handed', base).href)
    const source = page.locator('#events td.source a')
    expect(await source.textContent()).toBe('Acme Wemalo')
    expect(await source.getAttribute('title')).toBe('con_wh')
    const hub = page.locator('#outbound-calls tr[data-call=out_hub] td.target a')
    expect(await hub.textContent()).toBe('https://erp.acme.example/kontor')
    expect(await hub.getAttribute('title')).toBe(endpointId)
    expect(await page.textContent('#outbound-calls')).not.toContain(endpointId)

    await page.goto(new URL('/outbound-calls', base).href)
    expect(await page.locator('tr[data-call=out_wh] td.target').textContent()).toBe('Acme Wemalo')
    await loads(page, () => page.click('tr[data-call=out_hub] td.target a'))
    expect(new URL(page.url()).pathname).toBe(`/hub/${endpointId}`)

    await page.goto(new URL('/orders/ord_handed', base).href)
    await loads(page, () => source.click())
    expect(new URL(page.url()).hash).toBe('#connection-con_wh')
    expect(await page.locator('tr:target').getAttribute('data-connection')).toBe('con_wh')
  })

  it('each dead letter shows its step, order, connection and error in words; the message stays folded', async () => {
    const page = await newPage()
    await loads(page, () => page.click('nav >> text=Dead letters'))
    const writeBack = page.locator('tr[data-dead-letter=dl_write_back]')
    expect(await writeBack.locator('[data-step]').textContent()).toContain('write-back')
    expect(await writeBack.locator('a.order').textContent()).toBe('#2002')
    expect(await writeBack.locator('a[data-target=con_shop]').textContent()).toBe('Acme Shopify')
    expect(await writeBack.locator('td .bad').textContent()).toBe('Shopify answered 503')
    expect(await writeBack.locator('pre').isVisible()).toBe(false)
    await writeBack.locator('summary').click()
    expect(await writeBack.locator('pre').isVisible()).toBe(true)
    expect(await writeBack.locator('pre').textContent()).toContain('evt_shipped')

    const handover = page.locator('tr[data-dead-letter=dl_handover]')
    expect(await handover.locator('[data-step]').textContent()).toContain('hand-over')
    expect(await handover.locator('a.order').textContent()).toBe('#2001')
    expect(await handover.locator('a[data-target=con_wh]').textContent()).toBe('Acme Wemalo')
    const imported = page.locator('tr[data-dead-letter=dl_import]')
    expect(await imported.locator('[data-step]').textContent()).toContain('import of a webhook delivery')
    expect(await imported.locator('[data-step]').textContent()).toContain('delivery-77')
    await loads(page, () => handover.locator('a.order').click())
    expect(new URL(page.url()).pathname).toBe('/orders/ord_handed')

    // A connection's dead-letter count opens the list of its pending ones.
    await page.goto(base.href)
    await loads(page, () => page.click('tr[data-connection=con_wh] a[href^="/dead-letters"]'))
    expect(new URL(page.url()).searchParams.get('connectionId')).toBe('con_wh')
    const letters = await page
      .locator('#dead-letters tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-dead-letter')))
    expect(letters.sort()).toEqual(['dl_handover', 'dl_stock'])
  })

  it('replays by step, by connection and by error from the dashboard, exactly those', async () => {
    const page = await newPage()
    await page.goto(new URL('/dead-letters', base).href)
    await page.selectOption('select[name=step]', 'handover')
    await loads(page, () => page.click('#dead-letter-filters button'))
    expect(await page.locator('#dead-letters tbody tr').count()).toBe(1)
    await loads(page, () => page.click('#replay-since button'))
    expect(await page.textContent('.notice')).toContain('Replayed 1 message')
    expect(await replayed()).toEqual(['dl_handover'])

    await page.goto(new URL('/dead-letters', base).href)
    await page.selectOption('select[name=connectionId]', 'con_shop')
    await loads(page, () => page.click('#dead-letter-filters button'))
    expect(await page.locator('#dead-letters tbody tr').count()).toBe(2)
    await loads(page, () => page.click('#replay-since button'))
    expect(await replayed()).toEqual(['dl_handover', 'dl_import', 'dl_write_back'])

    // "same error" lists every letter with the write-back's error: the stock write's too.
    await page.goto(new URL('/dead-letters', base).href)
    await loads(page, () => page.click('tr[data-dead-letter=dl_write_back] a.same-error'))
    expect(await page.locator('#dead-letters tbody tr').count()).toBe(2)
    await loads(page, () => page.click('#replay-since button'))
    expect(await page.textContent('.notice')).toContain('Replayed 1 message')
    expect(await replayed()).toEqual(['dl_handover', 'dl_import', 'dl_stock', 'dl_write_back'])
    expect(kontor.consoleErrors).toEqual([])
  })
})
