/** The Shopify simulator itself, driven in-process with `app.request` (no network, no Worker). */
import { describe, expect, it } from 'vitest'
import {
  createShopifySimulatorApp,
  parseLossless,
  shopifyOrderPayload,
  shopifySimulator,
  signShopifyWebhook,
} from './shopify'

const TOKEN = 'shpat_test'
const V = '2025-10'

async function newShop(options: Record<string, unknown> = {}) {
  const app = createShopifySimulatorApp()
  const host = `t-${crypto.randomUUID().slice(0, 8)}.myshopify.com`
  const base = `https://${host}`
  const control = async (path: string, body?: unknown) => {
    const response = await app.request(
      `${base}${path}`,
      body === undefined
        ? {}
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }
    )
    expect(response.status, await response.clone().text()).toBeLessThan(300)
    return response.json() as Promise<any>
  }
  const admin = (path: string, init: RequestInit = {}, token = TOKEN) =>
    app.request(path.startsWith('https://') ? path : `${base}/admin/api/${V}/${path}`, {
      ...init,
      headers: { 'X-Shopify-Access-Token': token, 'content-type': 'application/json', ...init.headers },
    })
  await control('/_sim/shop', { accessToken: TOKEN, webhookSecret: 'hush', ...options })
  return { app, host, control, admin }
}

function nextLink(link: string | null): string | null {
  return (
    link
      ?.split(', ')
      .find((part) => part.endsWith('rel="next"'))
      ?.slice(1, -'>; rel="next"'.length) ?? null
  )
}

describe('Shopify simulator', () => {
  it('signs like Shopify (test vector: key hush, body {"id":1})', async () => {
    expect(await signShopifyWebhook('hush', '{"id":1}')).toBe('VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=')
  })

  it('handles only *.myshopify.com', () => {
    expect(shopifySimulator.handles('a-b.myshopify.com')).toBe(true)
    expect(shopifySimulator.handles('example.com')).toBe(false)
  })

  it('pages 600 orders with limit 250 in 3 pages of distinct ids, Link header as Shopify', async () => {
    const { admin, control, host } = await newShop({ bucketSize: 1000 })
    await control('/_sim/orders', { generate: 600 })
    const ids: string[] = []
    let url: string | null = `orders.json?status=any&limit=250`
    let pages = 0
    let lastLink: string | null = null
    while (url) {
      const response = await admin(url)
      expect(response.status).toBe(200)
      const text = await response.text()
      const { orders } = parseLossless(text) as { orders: any[] }
      ids.push(...orders.map((order) => String(order.id)))
      lastLink = response.headers.get('link')
      if (pages === 0) {
        expect(lastLink).toMatch(
          new RegExp(
            `^<https://${host.replace(/\./g, '\\.')}/admin/api/${V}/orders\\.json\\?limit=250&page_info=[A-Za-z0-9_-]+>; rel="next"$`
          )
        )
      }
      url = nextLink(lastLink)
      pages++
    }
    expect(pages).toBe(3)
    expect(ids).toHaveLength(600)
    expect(new Set(ids).size).toBe(600)
    expect([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(ids)
    expect(lastLink).toContain('rel="previous"')
    expect(lastLink).not.toContain('rel="next"')

    // The default status is open: cancelled and closed orders are left out.
    const open = (await (await admin('orders/count.json')).json()) as { count: number }
    expect(open.count).toBeGreaterThan(0)
    expect(open.count).toBeLessThan(600)
    expect(((await (await admin('orders/count.json?status=any')).json()) as any).count).toBe(600)

    // A single page carries no Link header.
    const single = await admin('orders.json?status=any&limit=250&since_id=' + ids[500])
    expect(single.headers.get('link')).toBeNull()
  })

  it('keeps the filters in the cursor and rejects filters next to page_info with 400', async () => {
    const { admin, control } = await newShop()
    await control('/_sim/orders', { generate: 5 })
    const first = await admin('orders.json?status=any&limit=2')
    const next = nextLink(first.headers.get('link'))!
    expect(next).not.toContain('status=')
    const withFilter = await admin(`${next}&status=any`)
    expect(withFilter.status).toBe(400)
    expect(await withFilter.json()).toEqual({
      errors: {
        status:
          'status cannot be passed when page_info is present. See https://shopify.dev/api/usage/pagination-rest for more information.',
      },
    })
    const ok = await admin(next)
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as any).orders).toHaveLength(2)
    expect((await admin('orders.json?limit=251')).status).toBe(400)
  })

  it('serves products with their variants like orders: updated_at_min kept in the cursor, at most 100 variants each', async () => {
    const { admin, control } = await newShop()
    const old = '2026-01-01T10:00:00-05:00'
    await control('/_sim/products', {
      products: [
        { id: 11, title: 'Alt', updated_at: old },
        { id: 12, title: 'Groß', variants: Array.from({ length: 120 }, (_, index) => ({ sku: `G-${index}` })) },
        { id: 13, title: 'Neu' },
        { id: 14, title: 'Neuer' },
      ],
    })
    const first = await admin('products.json?updated_at_min=2026-06-01T00:00:00Z&limit=2')
    const page = (await first.json()) as any
    expect(page.products.map((product: any) => product.id)).toEqual([12, 13])
    expect(page.products[0].variants).toHaveLength(100)
    expect(page.products[0].variants[0]).toMatchObject({ product_id: 12, sku: 'G-0', weight_unit: 'kg' })
    const next = nextLink(first.headers.get('link'))!
    expect(next).not.toContain('updated_at_min')
    expect((await admin(`${next}&updated_at_min=2026-06-01T00:00:00Z`)).status).toBe(400)
    expect(((await (await admin(next)).json()) as any).products.map((product: any) => product.id)).toEqual([14])
    expect(((await (await admin('products/count.json')).json()) as any).count).toBe(4)
    expect((await admin('products/99.json')).status).toBe(404)
    expect((await admin('products.json?limit=251')).status).toBe(400)
  })

  it('answers a bad token with 401 and records every request', async () => {
    const { admin, control } = await newShop()
    const response = await admin('orders.json', {}, 'wrong')
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    })
    const { requests } = await control('/_sim/requests')
    expect(requests).toMatchObject([{ method: 'GET', path: `/admin/api/${V}/orders.json`, status: 401 }])
  })

  it('throttles with a leaky bucket of 40: 429, Retry-After 2.0, call-limit header', async () => {
    const { admin } = await newShop()
    const first = await admin('orders.json')
    expect(first.headers.get('x-shopify-shop-api-call-limit')).toBe('1/40')
    let throttled: Response | null = null
    for (let index = 0; index < 45 && !throttled; index++) {
      const response = await admin('orders.json')
      if (response.status === 429) throttled = response
    }
    expect(throttled).not.toBeNull()
    expect(throttled!.headers.get('retry-after')).toBe('2.0')
    expect(throttled!.headers.get('x-shopify-shop-api-call-limit')).toMatch(/^\d+\/40$/)
    expect(await throttled!.json()).toEqual({
      errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
    })
  })

  it('injects the next N faults', async () => {
    const { admin, control } = await newShop()
    await control('/_sim/faults', { status: 500, count: 1 })
    await control('/_sim/faults', { status: 429, count: 1 })
    expect((await admin('orders.json')).status).toBe(500)
    const throttled = await admin('orders.json')
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('2.0')
    expect((await admin('orders.json')).status).toBe(200)
  })

  it('keeps a 20-digit id exact on the wire', async () => {
    const { admin, control } = await newShop()
    const stored = await control('/_sim/orders', '{"orders":[{"id":12345678901234567890,"currency":"EUR"}]}')
    expect(stored.count).toBe(1)
    const response = await admin('orders/12345678901234567890.json')
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(body).toContain('"id":12345678901234567890,')
    expect(body).toContain('"admin_graphql_api_id":"gid://shopify/Order/12345678901234567890"')
    const list = await (await admin('orders.json?ids=12345678901234567890&fields=id,name')).text()
    expect(list).toMatch(/^\{"orders":\[\{"id":12345678901234567890,"name":"#\d+"\}\]\}$/)
    expect((await admin('orders/12345678901234567891.json')).status).toBe(404)
    // The builder keeps ids as given, so tests can splice a big id into its JSON text.
    expect(JSON.stringify(shopifyOrderPayload({ id: 5550006 }))).toContain('"id":5550006,')
  })

  it('fulfils an order through its fulfilment order and validates the fulfilment order id', async () => {
    const { admin, control } = await newShop()
    await control('/_sim/orders', { orders: [{ id: 450789469 }] })
    const { fulfillment_orders } = (await (await admin('orders/450789469/fulfillment_orders.json')).json()) as any
    expect(fulfillment_orders).toHaveLength(1)
    expect(fulfillment_orders[0]).toMatchObject({
      order_id: 450789469,
      status: 'open',
      supported_actions: expect.arrayContaining(['create_fulfillment']),
    })
    expect(fulfillment_orders[0].line_items).toHaveLength(3)

    const missing = await admin('fulfillments.json', {
      method: 'POST',
      body: JSON.stringify({ fulfillment: { line_items_by_fulfillment_order: [{ fulfillment_order_id: 1 }] } }),
    })
    expect(missing.status).toBe(422)
    expect(await missing.json()).toHaveProperty('errors')

    const created = await admin('fulfillments.json', {
      method: 'POST',
      body: JSON.stringify({
        fulfillment: {
          notify_customer: false,
          tracking_info: { number: '1Z001985YW99744790', company: 'UPS' },
          line_items_by_fulfillment_order: [{ fulfillment_order_id: fulfillment_orders[0].id }],
        },
      }),
    })
    expect(created.status).toBe(201)
    expect(((await created.json()) as any).fulfillment).toMatchObject({
      order_id: 450789469,
      status: 'success',
      tracking_company: 'UPS',
      tracking_number: '1Z001985YW99744790',
      tracking_numbers: ['1Z001985YW99744790'],
      tracking_url: 'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z001985YW99744790',
    })
    const order = await control('/_sim/orders/450789469')
    expect(order).toMatchObject({
      fulfillment_status: 'fulfilled',
      fulfillments: [{ tracking_number: '1Z001985YW99744790' }],
    })
    const after = (await (await admin('orders/450789469/fulfillment_orders.json')).json()) as any
    expect(after.fulfillment_orders[0].status).toBe('closed')
    const again = await admin('fulfillments.json', {
      method: 'POST',
      body: JSON.stringify({
        fulfillment: { line_items_by_fulfillment_order: [{ fulfillment_order_id: fulfillment_orders[0].id }] },
      }),
    })
    expect(again.status).toBe(422)
  })

  it('cancels an order', async () => {
    const { admin, control } = await newShop()
    await control('/_sim/orders', { orders: [{ id: 77, financial_status: 'pending' }] })
    const response = await admin('orders/77/cancel.json', {
      method: 'POST',
      body: JSON.stringify({ reason: 'customer' }),
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as any).order).toMatchObject({
      cancel_reason: 'customer',
      financial_status: 'voided',
      cancelled_at: expect.any(String),
    })
    expect(((await (await admin('orders/count.json?status=cancelled')).json()) as any).count).toBe(1)
  })

  it('sends a webhook with Shopify escaping and a signature over the raw bytes', async () => {
    let received: Request | null = null
    let receivedBody = ''
    const app = createShopifySimulatorApp({
      fetch: async (input, init) => {
        received = new Request(input, init)
        receivedBody = await received.clone().text()
        return new Response('ok', { status: 202 })
      },
    })
    const base = 'https://hooks-1.myshopify.com'
    await app.request(`${base}/_sim/shop`, {
      method: 'POST',
      body: JSON.stringify({ accessToken: TOKEN, webhookSecret: 'hush' }),
    })
    const result = (await (
      await app.request(`${base}/_sim/webhooks/send`, {
        method: 'POST',
        body: '{"url":"https://kontor.test/webhooks/shopify/con_1","topic":"orders/create","webhookId":"wh-1","order":{"id":12345678901234567890,"note":"a/b & c"}}',
      })
    ).json()) as any
    expect(result).toMatchObject({ status: 202, body: 'ok', webhookId: 'wh-1' })
    expect(receivedBody).toBe('{"id":12345678901234567890,"note":"a\\/b \\u0026 c"}')
    expect(received!.headers.get('x-shopify-hmac-sha256')).toBe(await signShopifyWebhook('hush', receivedBody))
    expect(received!.headers.get('x-shopify-hmac-sha256')).not.toBe(
      await signShopifyWebhook('hush', JSON.stringify(JSON.parse(receivedBody)))
    )
    const dry = (await (
      await app.request(`${base}/_sim/webhooks/send`, {
        method: 'POST',
        body: '{"topic":"orders/delete","order":{"id":5,"note":"x"}}',
      })
    ).json()) as any
    expect(dry.rawBody).toBe('{"id":5}')
    expect(dry.headers['X-Shopify-Hmac-Sha256']).toBe(await signShopifyWebhook('hush', '{"id":5}'))
    expect(Object.fromEntries(received!.headers)).toMatchObject({
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'hooks-1.myshopify.com',
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': 'wh-1',
      'x-shopify-triggered-at': expect.any(String),
      'x-shopify-event-id': expect.any(String),
    })
  })
})
