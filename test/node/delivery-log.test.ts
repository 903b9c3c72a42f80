/**
 * The Deliveries page (issue 19) in a real browser: Debian's chromium driven by playwright-core
 * against the real Worker (wrangler's test harness, local D1 and queues), as dashboard.test.ts
 * does. Webhooks go through the real intake: one signed, imported by the local INGEST consumer;
 * one with a bad signature whose body tries to break out of the page.
 */
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encryptJson, keyringOf } from '../../src/core/crypto'
import { shopifyOrderPayload } from '../simulators/shopify/orders'
import { ENCRYPTION_KEY, type KontorInBrowser, startKontorInBrowser } from './browser'

const ADMIN_TOKEN = 'delivery-log-admin-token'
const SHOP = 'deliveries.myshopify.com'
const SECRET = 'shpss_delivery_log_secret'
const CONNECTION = 'con_deliveries_shop'
const HOSTILE = "</pre><script>document.title = 'pwned'</script><b id='injected'>x</b>"

let kontor: KontorInBrowser
let base: URL
let tenant: { id: string; token: string }
let other: { id: string; token: string }

const api = <T>(pathname: string, token: string, body?: unknown) => kontor.api<T>(pathname, token, body)

function deliver(raw: string, signature: string, webhookId: string) {
  return fetch(new URL(`/webhooks/shopify/${CONNECTION}`, base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-api-version': '2025-10',
      'x-shopify-hmac-sha256': signature,
    },
    body: raw,
  })
}

const sign = (raw: string) => createHmac('sha256', SECRET).update(raw).digest('base64')

const signedInPage = (token: string) => kontor.newPage(token)

let signature: string

beforeAll(async () => {
  kontor = await startKontorInBrowser({ adminToken: ADMIN_TOKEN, vars: { RETRY_BASE_SECONDS: '0.2' } })
  base = kontor.base
  const db = kontor.db
  tenant = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Deliveries GmbH', currency: 'USD' })
  other = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Other GmbH', currency: 'EUR' })
  // Written straight into D1: creating it through the API would call Shopify to register webhooks.
  const credentials = await encryptJson(keyringOf({ ENCRYPTION_KEY }), {
    shopDomain: SHOP,
    accessToken: 'shpat_not_used_here',
    webhookSecret: SECRET,
  })
  await db
    .prepare(
      `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
       values (?, ?, 'shopify', 'Deliveries shop', ?, '{}', '[]', ?, ?)`
    )
    .bind(CONNECTION, tenant.id, credentials, new Date().toISOString(), new Date().toISOString())
    .run()

  const raw = JSON.stringify(shopifyOrderPayload({ id: 5559001, name: '#9001' }))
  signature = sign(raw)
  expect((await deliver(raw, signature, 'webhook-accepted-1')).status).toBe(202)
  const hostile = JSON.stringify({ id: 5559002, note: HOSTILE })
  expect((await deliver(hostile, 'bm90LXRoZS1zaWduYXR1cmU=', 'webhook-refused-1')).status).toBe(401)
  // The local INGEST consumer imports the signed one.
  const deadline = Date.now() + 60_000
  for (;;) {
    const { items } = await api<{ items: { processing: string | null }[] }>(
      '/api/v1/webhook-deliveries?result=accepted',
      tenant.token
    )
    if (items[0]?.processing === 'imported') break
    if (Date.now() > deadline) throw new Error(`the signed delivery was not imported: ${JSON.stringify(items)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}, 180_000)

afterAll(async () => {
  await kontor?.close()
})

describe('Deliveries page (issue 19)', () => {
  it('lists every webhook request with its result, filtered by accepted or refused and by connection', async () => {
    const page = await signedInPage(tenant.token)
    await Promise.all([page.waitForEvent('load'), page.click('header nav a[href="/deliveries"]')])
    const rows = page.locator('#deliveries tbody tr')
    expect(await rows.count()).toBe(2)
    const texts = await rows.allInnerTexts()
    expect(texts[0]).toMatch(/refused \(401\)/)
    expect(texts[0]).toContain('the signature does not verify')
    expect(texts[1]).toMatch(/accepted \(202\)/)
    expect(texts[1]).toContain('imported')
    expect(texts[1]).toContain('Deliveries shop')

    await page.selectOption('select[name=result]', 'refused')
    await Promise.all([page.waitForEvent('load'), page.click('form.filters button[type=submit]')])
    expect(new URL(page.url()).searchParams.get('result')).toBe('refused')
    expect(await rows.count()).toBe(1)
    await page.selectOption('select[name=result]', 'accepted')
    await page.selectOption('select[name=connectionId]', CONNECTION)
    await Promise.all([page.waitForEvent('load'), page.click('form.filters button[type=submit]')])
    expect(await rows.count()).toBe(1)
    expect(await rows.first().innerText()).toContain('accepted')
  })

  it('shows an accepted delivery: masked signature, the body indented, the answer, links to its order and import-log line', async () => {
    const page = await signedInPage(tenant.token)
    await page.goto(new URL('/deliveries?result=accepted', base).href)
    await Promise.all([page.waitForEvent('load'), page.locator('#deliveries tbody tr a').first().click()])
    const headers = await page.locator('#delivery-headers').innerText()
    expect(headers).toContain(`${signature.slice(0, 4)}•••• (masked, ${signature.length} chars)`)
    expect(await page.content()).not.toContain(signature)
    expect(headers).toContain('webhook-accepted-1')
    expect(await page.locator('#delivery-answer').innerText()).toBe('{"accepted":true}')
    const body = await page.locator('#delivery-body').innerText()
    expect(body).toContain('\n  "id": 5559001,')
    const summary = await page.locator('#delivery-summary').innerText()
    expect(summary).toContain('verified')
    expect(summary).toContain('orders/create')

    const outcome = page.locator('#delivery-outcome')
    expect(await outcome.innerText()).toContain('created')
    await Promise.all([page.waitForEvent('load'), outcome.locator('a[href^="/orders/"]').click()])
    expect(new URL(page.url()).pathname).toMatch(/^\/orders\/ord_/)
    expect(await page.locator('h1').innerText()).toContain('9001')
    await page.goBack()
    await Promise.all([page.waitForEvent('load'), outcome.locator('a[href^="/import-log"]').click()])
    expect(await page.locator('#import-log tbody tr').first().innerText()).toContain('5559001')
  })

  it('shows a refused delivery with its reason and its body escaped, never run', async () => {
    const page = await signedInPage(tenant.token)
    await page.goto(new URL('/deliveries?result=refused', base).href)
    await Promise.all([page.waitForEvent('load'), page.locator('#deliveries tbody tr a').first().click()])
    const summary = await page.locator('#delivery-summary').innerText()
    expect(summary).toContain('failed')
    expect(summary).toContain('the signature does not verify')
    expect(await page.locator('#delivery-answer').innerText()).toContain('invalid_signature')
    expect(await page.locator('#delivery-body').innerText()).toContain(HOSTILE)
    expect(await page.locator('#injected').count()).toBe(0)
    expect(await page.title()).not.toBe('pwned')
    expect(await page.locator('#delivery-outcome').innerText()).toContain('only this one')
  })

  it('another tenant sees none of them, and not one by its address', async () => {
    const page = await signedInPage(other.token)
    await page.goto(new URL('/deliveries', base).href)
    expect(await page.locator('#deliveries').count()).toBe(0)
    expect(await page.locator('main').innerText()).toContain('No deliveries match.')
    const { items } = await api<{ items: { id: string }[] }>('/api/v1/webhook-deliveries', tenant.token)
    const response = await page.goto(new URL(`/deliveries/${items[0].id}`, base).href)
    expect(response?.status()).toBe(404)
  })
})
