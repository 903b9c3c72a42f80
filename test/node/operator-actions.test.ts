/**
 * Acting from the dashboard (issue 19) in a real browser: Debian's chromium driven by
 * playwright-core against the real Worker (wrangler's test harness, local D1 and Queues), as
 * dashboard.test.ts does. The platform is the Shopify simulator, served on a local port in this
 * process (as `npm start` serves it), so the connection made in the form imports a real order
 * and the write-back reaches the simulated shop.
 */
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routeOutbound } from '../simulators/router'
import { type KontorInBrowser, loads, startKontorInBrowser } from './browser'

const ADMIN_TOKEN = 'operator-actions-admin-token'
const SHOP = 'operator-actions.myshopify.com'
const ACCESS_TOKEN = 'shpat_operator_actions'
const WEBHOOK_SECRET = 'shpss_operator_actions'

let kontor: KontorInBrowser
let base: URL
let simulators: ServerType
let simulatorsBase: string
let tenant: { id: string; token: string }
let connectionId: string

const api = <T>(pathname: string, token: string, body?: unknown) => kontor.api<T>(pathname, token, body)

/** A simulator control call, as `curl http://127.0.0.1:8788/{host}/_sim/…` would make it. */
async function simulator<T = unknown>(pathname: string, body?: unknown): Promise<T> {
  const response = await fetch(`${simulatorsBase}/${SHOP}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`simulator ${pathname}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

async function waitFor<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check().catch(() => null)
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const newPage = (token: string) => kontor.newPage(token, { width: 1280, height: 900 })

/** The fields a form would send, read from the page (hidden ones included). */
async function formFields(page: Page, form: string): Promise<Record<string, string>> {
  // The browser's FormData (this file has no DOM types): what the form would send.
  type BrowserFormData = new (form: unknown) => Iterable<[string, unknown]>
  return page.$eval(form, (element) => {
    const data = new (globalThis as unknown as { FormData: BrowserFormData }).FormData(element)
    return Object.fromEntries([...data].map(([key, value]) => [key, String(value)]))
  })
}

/** Sends `fields` as the browser would submit the form again; answers the page's text. */
async function postForm(page: Page, action: string, fields: Record<string, string>) {
  const response = await page.request.post(new URL(action, base).href, {
    form: fields,
    headers: { origin: base.origin },
  })
  return response.text()
}

const storedCredentials = async () =>
  (await kontor.db
    .prepare('select credentials from connections where id = ?')
    .bind(connectionId)
    .first<{ credentials: string }>())!.credentials

beforeAll(async () => {
  simulators = serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request: Request) => {
      const url = new URL(request.url)
      const [, host, ...rest] = url.pathname.split('/')
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer()
      return routeOutbound(
        new Request(`https://${host}/${rest.join('/')}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body,
        })
      )
    },
  })
  await new Promise((resolve) => simulators.once('listening', resolve))
  simulatorsBase = `http://127.0.0.1:${(simulators.address() as AddressInfo).port}`
  await simulator('/_sim/shop', { accessToken: ACCESS_TOKEN, webhookSecret: WEBHOOK_SECRET })
  const now = new Date().toISOString()
  await simulator('/_sim/orders', { orders: [{ id: 7820001, currency: 'EUR', created_at: now, updated_at: now }] })

  // Plain http to the local simulators, as `npm start` allows it.
  kontor = await startKontorInBrowser({
    adminToken: ADMIN_TOKEN,
    vars: { ALLOW_INSECURE_URLS: 'true', RETRY_BASE_SECONDS: '0.1' },
  })
  base = kontor.base
  tenant = await api('/api/v1/tenants', ADMIN_TOKEN, { name: 'Operator Coffee', currency: 'EUR' })
}, 120_000)

afterAll(async () => {
  await kontor?.close()
  simulators?.close()
})

describe('connections from the dashboard', () => {
  it('creates a connection in the form: a bad field shows its error, the right one imports the shop', async () => {
    const page = await newPage(tenant.token)
    await loads(page, () => page.click('#new-connection'))
    await page.selectOption('select[name=platform]', 'shopify')
    await loads(page, () => page.click('form[method=get] button'))
    await page.fill('#connection-form input[name=name]', 'Operator shop')
    await page.fill('input[name="credentials.shopDomain"]', 'not a shop')
    await page.fill('input[name="credentials.accessToken"]', ACCESS_TOKEN)
    await page.fill('input[name="credentials.webhookSecret"]', WEBHOOK_SECRET)
    const settings = JSON.stringify({
      baseUrl: `${simulatorsBase}/${SHOP}`,
      fulfilmentSync: true,
      registerWebhooks: false,
    })
    await page.fill('textarea[name=settings]', settings)
    await loads(page, () => page.click('#connection-form button[type=submit]'))
    expect(await page.textContent('[data-error-for="credentials.shopDomain"]')).toContain('myshopify.com')
    // What was typed stays, except the credentials, which are never sent back to the browser.
    expect(await page.inputValue('#connection-form input[name=name]')).toBe('Operator shop')
    expect(await page.inputValue('input[name="credentials.accessToken"]')).toBe('')

    await page.fill('input[name="credentials.shopDomain"]', SHOP)
    await page.fill('input[name="credentials.accessToken"]', ACCESS_TOKEN)
    await page.fill('input[name="credentials.webhookSecret"]', WEBHOOK_SECRET)
    await page.fill('textarea[name=settings]', '{"fulfilmentSync": tru')
    await loads(page, () => page.click('#connection-form button[type=submit]'))
    expect(await page.textContent('[data-error-for=settings]')).toContain('not JSON')

    await page.fill('input[name="credentials.shopDomain"]', SHOP)
    await page.fill('input[name="credentials.accessToken"]', ACCESS_TOKEN)
    await page.fill('input[name="credentials.webhookSecret"]', WEBHOOK_SECRET)
    await page.fill('textarea[name=settings]', settings)
    await loads(page, () => page.click('#connection-form button[type=submit]'))
    expect(new URL(page.url()).pathname).toMatch(/^\/connections\/con_/)
    expect(await page.textContent('.notice')).toContain('created')
    connectionId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2])

    const { items } = await waitFor(async () => {
      const list = await api<{ items: { id: string }[] }>(`/api/v1/orders?connectionId=${connectionId}`, tenant.token)
      return list.items.length ? list : null
    }, 'the backfill of the shop')
    expect(items).toHaveLength(1)
  })

  it('edits a connection without showing its credentials; an empty credential keeps the stored one', async () => {
    const before = await storedCredentials()
    const page = await newPage(tenant.token)
    await loads(page, () => page.click(`tr[data-connection=${connectionId}] a.edit-connection`))
    for (const field of ['shopDomain', 'accessToken', 'webhookSecret'])
      expect(await page.inputValue(`input[name="credentials.${field}"]`)).toBe('')
    expect(await page.content()).not.toContain(ACCESS_TOKEN)
    expect(await page.inputValue('textarea[name=settings]')).toContain('fulfilmentSync')

    await page.fill('#connection-form input[name=name]', 'Operator shop (EU)')
    await page.fill('textarea[name=settings]', '{"pollMinutes": 0}')
    await loads(page, () => page.click('#connection-form button[type=submit]'))
    expect(await page.textContent('[data-error-for=settings]')).toMatch(/pollMinutes/)

    await page.fill(
      'textarea[name=settings]',
      JSON.stringify({
        baseUrl: `${simulatorsBase}/${SHOP}`,
        fulfilmentSync: true,
        registerWebhooks: false,
        pollMinutes: 5,
      })
    )
    await loads(page, () => page.click('#connection-form button[type=submit]'))
    expect(await page.textContent('.notice')).toContain('Saved')

    const connection = await api<any>(`/api/v1/connections/${connectionId}`, tenant.token)
    expect(connection).toMatchObject({ name: 'Operator shop (EU)', settings: { pollMinutes: 5, fulfilmentSync: true } })
    expect(await storedCredentials()).toBe(before)
  })

  it('pauses and resumes a connection', async () => {
    const page = await newPage(tenant.token)
    await page.goto(new URL(`/connections/${connectionId}`, base).href)
    await loads(page, () => page.click('#connection-state button'))
    expect(await page.textContent('#connection-state')).toContain('paused')
    expect((await api<any>(`/api/v1/connections/${connectionId}`, tenant.token)).pausedAt).toBeTruthy()
    // A poll by hand is refused while paused.
    const sync = await fetch(new URL(`/api/v1/connections/${connectionId}/sync`, base), {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'poll' }),
    })
    expect(sync.status).toBe(409)

    await loads(page, () => page.click('#connection-state button'))
    expect(await page.textContent('#connection-state')).toContain('running')
    expect((await api<any>(`/api/v1/connections/${connectionId}`, tenant.token)).pausedAt).toBeNull()
  })
})

describe('actions on the order page', () => {
  it('reports shipped with tracking, and retries the write-back that failed until it is done', async () => {
    const { items } = await api<{ items: { id: string }[] }>(
      `/api/v1/orders?connectionId=${connectionId}`,
      tenant.token
    )
    const orderId = items[0].id
    // The shop fails every call for now: the write-back is retried by the queue, then dead-lettered.
    await simulator('/_sim/faults', { status: 500, count: 1000 })

    const page = await newPage(tenant.token)
    await page.goto(new URL(`/orders/${orderId}`, base).href)
    await page.selectOption('#report-event select[name=type]', 'shipped')
    await loads(page, () => page.click('#report-event button[type=submit]'))
    expect(await page.textContent('[data-error-for=trackingNumber]')).toContain('tracking number')

    await page.fill('#report-event input[name=trackingNumber]', '1Z999AA10123456784')
    await page.fill('#report-event input[name=trackingCarrier]', 'UPS')
    const sent = await formFields(page, '#report-event')
    await loads(page, () => page.click('#report-event button[type=submit]'))
    expect(await page.textContent('.notice')).toContain('Reported shipped')
    expect(await page.textContent('#tracking')).toContain('1Z999AA10123456784')
    // The same form sent again (a double click, a reload of the answer) records nothing more.
    const twice = await postForm(page, `/orders/${orderId}/events`, sent)
    expect(twice).toContain('reported already')
    const order = await api<any>(`/api/v1/orders/${orderId}`, tenant.token)
    expect(order.events.filter((event: any) => event.type === 'shipped')).toHaveLength(1)

    await waitFor(async () => {
      const letters = await api<{ items: { queue: string }[] }>('/api/v1/dead-letters', tenant.token)
      return letters.items.some((letter) => letter.queue === 'sync')
    }, 'the write-back to be given up')
    await simulator('/_sim/faults', { status: 500, count: 0 })

    await page.goto(new URL(`/orders/${orderId}`, base).href)
    const failed = page.locator('#failed-work tr[data-write-back]')
    expect(await failed.count()).toBe(1)
    const retryAction = (await failed.locator('form').getAttribute('action'))!
    const retryFields = await formFields(page, '#failed-work tr[data-write-back] form')
    await loads(page, () => failed.locator('button').click())
    expect(await page.textContent('.notice')).toContain('ran again: done')
    expect(await page.locator('#failed-work tr[data-write-back]').count()).toBe(0)
    const requests = (await simulator<{ requests: any[] }>('/_sim/requests')).requests
    const fulfilments = requests.filter((request) => request.method === 'POST' && request.path.includes('fulfillments'))
    expect(fulfilments.filter((request) => request.status < 300)).toHaveLength(1)
    expect(JSON.stringify(fulfilments.at(-1)?.body)).toContain('1Z999AA10123456784')

    // The same page's button once more: refused with a reason, nothing sent.
    expect(await postForm(page, retryAction, retryFields)).toMatch(/not failed|tried again meanwhile/)
    expect((await simulator<{ requests: any[] }>('/_sim/requests')).requests.length).toBe(requests.length)
  })
})
