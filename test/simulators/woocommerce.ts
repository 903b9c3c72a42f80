/**
 * A WooCommerce site (REST API v3) for many sites at once, one per host `*.woo.example`: Basic
 * auth with the consumer key, page-number paging with X-WP-Total / X-WP-TotalPages / Link,
 * `per_page` above 100 refused with `rest_invalid_param`, `modified_after` / `after` with
 * `dates_are_gmt`, order updates and notes, products and the category tree, one product by id,
 * and a variable product's variations (`GET /products/{id}/variations`, paged the same way). Webhooks are signed
 * as WooCommerce signs them (base64 HMAC-SHA256 of the body with the webhook secret). The site's
 * webhooks (`/webhooks`: create, list with `include`/`status`, read, update, delete with
 * `force=true`) keep their status (`active|paused|disabled`); `POST /_sim/webhooks/:id/disable`
 * does what WooCommerce does after repeated failed deliveries. No ping is sent on create.
 */
import { Hono } from 'hono'
import type { Simulator } from './simulator'
import { wooStockRoutes } from './woocommerce-stock'
import { disableWooWebhook, wooWebhookRoutes } from './woocommerce-webhooks'

type Json = Record<string, any>
type Recorded = { method: string; path: string; query: Record<string, string>; body: unknown; status: number }

type Site = {
  consumerKey: string
  consumerSecret: string
  webhookSecret: string
  orders: Map<string, Json>
  notes: Map<string, Json[]>
  products: Map<string, Json>
  categories: Json[]
  requests: Recorded[]
  /** The next `count` API calls answer `status`; with `html`, as a host's HTML error page. */
  faults: { status: number; count: number; html?: boolean }
  nextId: number
  /** Webhooks made through the REST API, by id; `secret` is kept but never returned. */
  webhooks: Map<string, Json>
  nextWebhookId: number
}

const sites = new Map<string, Site>()
const API = '/wp-json/wc/v3'

/** GMT without an offset, as WooCommerce writes its `*_gmt` fields. */
export const wooGmt = (date: Date) => date.toISOString().slice(0, 19)

export function wooOrderPayload(overrides: Json = {}): Json {
  const now = wooGmt(new Date())
  const id = overrides.id ?? Math.floor(Math.random() * 1e6)
  return {
    id,
    parent_id: 0,
    number: String(id),
    status: 'processing',
    currency: 'EUR',
    date_created: now,
    date_created_gmt: now,
    date_modified: now,
    date_modified_gmt: now,
    discount_total: '0.00',
    shipping_total: '4.90',
    total: '24.80',
    customer_id: 7,
    billing: {
      first_name: 'Erika',
      last_name: 'Mustermann',
      company: '',
      address_1: 'Hauptstr. 1',
      address_2: '',
      city: 'Berlin',
      state: '',
      postcode: '10115',
      country: 'DE',
      email: 'erika@example.com',
      phone: '+49 30 1234567',
    },
    shipping: {
      first_name: 'Erika',
      last_name: 'Mustermann',
      company: '',
      address_1: 'Hauptstr. 1',
      address_2: '',
      city: 'Berlin',
      state: '',
      postcode: '10115',
      country: 'DE',
      phone: '+49 170 7654321',
    },
    line_items: [
      {
        id: 1001,
        name: 'Teapot',
        product_id: 93,
        variation_id: 0,
        quantity: 2,
        subtotal: '19.90',
        total: '19.90',
        sku: 'TEA-1',
        price: 9.95,
      },
    ],
    shipping_lines: [{ id: 1, method_title: 'DHL', method_id: 'flat_rate', total: '4.90' }],
    meta_data: [],
    ...overrides,
  }
}

const encoder = new TextEncoder()

export async function signWooWebhook(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)))
  return btoa(String.fromCharCode(...signature))
}

/** The body WooCommerce sends: wp_json_encode escapes slashes. */
export function wooJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/')
}

export async function wooWebhookHeaders(
  secret: string,
  topic: string,
  body: string,
  site = 'https://shop.woo.example/'
) {
  return {
    'content-type': 'application/json',
    'user-agent': 'WooCommerce/9.8.0 Hookshot (WordPress/6.8)',
    'x-wc-webhook-source': site,
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-resource': topic.split('.')[0],
    'x-wc-webhook-event': topic.split('.')[1],
    'x-wc-webhook-signature': await signWooWebhook(secret, body),
    'x-wc-webhook-id': '12',
    'x-wc-webhook-delivery-id': crypto.randomUUID().replace(/-/g, ''),
  }
}

function wooError(code: string, message: string, status: number, params?: Json) {
  return Response.json({ code, message, data: { status, ...(params ? { params } : {}) } }, { status })
}

function siteOf(host: string): Site | undefined {
  return sites.get(host)
}

function paged(url: URL, host: string, path: string, items: Json[]): Response {
  const perPage = Number(url.searchParams.get('per_page') ?? 10)
  const page = Number(url.searchParams.get('page') ?? 1)
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    return wooError('rest_invalid_param', 'Invalid parameter(s): per_page', 400, {
      per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)',
    })
  }
  const totalPages = Math.max(1, Math.ceil(items.length / perPage))
  if (page > totalPages && items.length) {
    return wooError(
      'rest_post_invalid_page_number',
      'The page number requested is larger than the number of pages available.',
      400
    )
  }
  const links: string[] = []
  const link = (p: number, rel: string) => {
    const next = new URL(url)
    next.searchParams.set('page', String(p))
    links.push(`<https://${host}${path}?${next.searchParams}>; rel="${rel}"`)
  }
  if (page > 1) link(page - 1, 'prev')
  if (page < totalPages) link(page + 1, 'next')
  const headers = new Headers({ 'x-wp-total': String(items.length), 'x-wp-totalpages': String(totalPages) })
  if (links.length) headers.set('link', links.join(', '))
  return Response.json(items.slice((page - 1) * perPage, page * perPage), { headers })
}

function gmt(value: string | null): number | null {
  if (!value) return null
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
}

export function createWooCommerceSimulatorApp() {
  const app = new Hono()

  app.post('/_sim/site', async (c) => {
    const body = await c.req.json()
    sites.set(new URL(c.req.url).host, {
      consumerKey: body.consumerKey,
      consumerSecret: body.consumerSecret,
      webhookSecret: body.webhookSecret ?? 'secret',
      orders: new Map(),
      notes: new Map(),
      products: new Map(),
      categories: body.categories ?? [],
      requests: [],
      faults: { status: 0, count: 0 },
      nextId: 1000,
      webhooks: new Map(),
      nextWebhookId: 1,
    })
    return c.json({ ok: true }, 201)
  })

  app.use('/_sim/*', async (c, next) => {
    if (!siteOf(new URL(c.req.url).host)) return c.json({ error: 'unknown site: POST /_sim/site first' }, 404)
    return next()
  })

  app.post('/_sim/orders', async (c) => {
    const site = siteOf(new URL(c.req.url).host)!
    const body = await c.req.json()
    const orders: Json[] = body.orders ?? []
    for (let index = 0; index < (body.generate ?? 0); index++) orders.push({ id: site.nextId++ })
    for (const order of orders) {
      const full = wooOrderPayload(order)
      site.orders.set(String(full.id), full)
    }
    return c.json({ count: orders.length }, 201)
  })
  app.get('/_sim/orders/:id', (c) => {
    const site = siteOf(new URL(c.req.url).host)!
    const order = site.orders.get(c.req.param('id'))
    return order
      ? c.json({ ...order, notes: site.notes.get(c.req.param('id')) ?? [] })
      : c.json({ error: 'not found' }, 404)
  })
  app.post('/_sim/products', async (c) => {
    const site = siteOf(new URL(c.req.url).host)!
    // Stamped as WooCommerce stamps a save, unless the test gives a time. A variable product's
    // `variations` are stored as products of type `variation` with its `parent_id`; it keeps their ids.
    for (const { variations, ...product } of (await c.req.json()).products as Json[]) {
      const stamped: Json = { date_modified_gmt: wooGmt(new Date()), ...product }
      for (const variation of variations ?? [])
        site.products.set(String(variation.id), {
          type: 'variation',
          parent_id: product.id,
          date_modified_gmt: stamped.date_modified_gmt,
          ...variation,
        })
      if (variations) stamped.variations = (variations as Json[]).map((variation) => variation.id)
      site.products.set(String(product.id), stamped)
    }
    return c.json({ ok: true }, 201)
  })
  app.post('/_sim/faults', async (c) => {
    siteOf(new URL(c.req.url).host)!.faults = await c.req.json()
    return c.json({ ok: true })
  })
  app.get('/_sim/requests', (c) => c.json({ requests: siteOf(new URL(c.req.url).host)!.requests }))
  // The site's webhooks with their secrets; disabling one is what WooCommerce does after repeated failures.
  app.get('/_sim/webhooks', (c) => c.json([...siteOf(new URL(c.req.url).host)!.webhooks.values()]))
  app.post('/_sim/webhooks/:id/disable', (c) =>
    disableWooWebhook(siteOf(new URL(c.req.url).host)!, c.req.param('id'))
      ? c.json({ ok: true })
      : c.json({ error: 'not found' }, 404)
  )

  // Every API request: recorded, authenticated (Basic), then faults.
  app.use(`${API}/*`, async (c, next) => {
    const url = new URL(c.req.url)
    const site = siteOf(url.host)
    const text = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text()
    const entry: Recorded = {
      method: c.req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : null,
      status: 0,
    }
    site?.requests.push(entry)
    const expected = site && `Basic ${btoa(`${site.consumerKey}:${site.consumerSecret}`)}`
    if (!site || c.req.header('authorization') !== expected) {
      entry.status = 401
      return wooError('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.', 401)
    }
    if (site.faults.count > 0) {
      site.faults.count--
      entry.status = site.faults.status
      if (site.faults.html)
        return c.html(
          '<!DOCTYPE html><html><head><title>WordPress &rsaquo; Error</title></head><body id="error-page"><p>There has been a critical error on this website.</p></body></html>',
          site.faults.status as 500
        )
      return wooError('internal_server_error', 'There has been a critical error on this website.', site.faults.status)
    }
    await next()
    entry.status = c.res.status
  })

  app.get(`${API}/orders`, (c) => {
    const url = new URL(c.req.url)
    const site = siteOf(url.host)!
    const query = url.searchParams
    const statuses = (query.get('status') ?? 'any').split(',')
    const after = gmt(query.get('after'))
    const modifiedAfter = gmt(query.get('modified_after'))
    let orders = [...site.orders.values()].filter((order) => {
      if (!statuses.includes('any') && !statuses.includes(order.status)) return false
      if (statuses.includes('any') && order.status === 'trash') return false
      if (after !== null && gmt(order.date_created_gmt)! <= after) return false
      if (modifiedAfter !== null && gmt(order.date_modified_gmt)! <= modifiedAfter) return false
      return true
    })
    const direction = query.get('order') === 'asc' ? 1 : -1
    const by = query.get('orderby') ?? 'date'
    orders = orders.sort((a, b) =>
      by === 'id'
        ? direction * (Number(a.id) - Number(b.id))
        : direction * (gmt(a.date_created_gmt)! - gmt(b.date_created_gmt)! || Number(a.id) - Number(b.id))
    )
    return paged(url, url.host, `${API}/orders`, orders)
  })

  app.get(`${API}/orders/:id`, (c) => {
    const order = siteOf(new URL(c.req.url).host)!.orders.get(c.req.param('id'))
    return order ? c.json(order) : wooError('woocommerce_rest_shop_order_invalid_id', 'Invalid ID.', 404)
  })

  app.put(`${API}/orders/:id`, async (c) => {
    const site = siteOf(new URL(c.req.url).host)!
    const order = site.orders.get(c.req.param('id'))
    if (!order) return wooError('woocommerce_rest_shop_order_invalid_id', 'Invalid ID.', 404)
    const changes = await c.req.json()
    if (changes.status !== undefined) order.status = changes.status
    for (const meta of changes.meta_data ?? []) {
      const existing = order.meta_data.find((item: Json) => item.key === meta.key)
      if (existing) existing.value = meta.value
      else order.meta_data.push({ id: order.meta_data.length + 1, key: meta.key, value: meta.value })
    }
    order.date_modified_gmt = wooGmt(new Date())
    return c.json(order)
  })

  // GET /orders/<id>/notes (WooCommerce REST v3): the order's notes, newest first.
  app.get(`${API}/orders/:id/notes`, (c) => {
    const site = siteOf(new URL(c.req.url).host)!
    const id = c.req.param('id')
    if (!site.orders.has(id)) return wooError('woocommerce_rest_shop_order_invalid_id', 'Invalid ID.', 404)
    return c.json([...(site.notes.get(id) ?? [])].reverse())
  })

  app.post(`${API}/orders/:id/notes`, async (c) => {
    const site = siteOf(new URL(c.req.url).host)!
    const id = c.req.param('id')
    if (!site.orders.has(id)) return wooError('woocommerce_rest_shop_order_invalid_id', 'Invalid ID.', 404)
    const body = await c.req.json()
    if (typeof body.note !== 'string' || !body.note)
      return wooError('rest_missing_callback_param', 'Missing parameter(s): note', 400)
    const note = {
      id: Math.floor(Math.random() * 1e6),
      author: 'system',
      date_created_gmt: wooGmt(new Date()),
      note: body.note,
      customer_note: Boolean(body.customer_note),
    }
    site.notes.set(id, [...(site.notes.get(id) ?? []), note])
    return c.json(note, 201)
  })

  app.get(`${API}/products/categories`, (c) => {
    const url = new URL(c.req.url)
    return paged(url, url.host, `${API}/products/categories`, siteOf(url.host)!.categories)
  })

  app.get(`${API}/products`, (c) => {
    const url = new URL(c.req.url)
    const include = url.searchParams.get('include')?.split(',')
    const modifiedAfter = gmt(url.searchParams.get('modified_after'))
    // With `sku` (comma-separated) WooCommerce searches products and variations; without, products only.
    const skus = url.searchParams.get('sku')?.split(',')
    const products = [...siteOf(url.host)!.products.values()]
      .filter((product) => !include || include.includes(String(product.id)))
      .filter((product) =>
        skus ? skus.includes(String(product.sku)) : !product.parent_id || String(product.parent_id) === '0'
      )
      .filter((product) => modifiedAfter === null || (gmt(product.date_modified_gmt) ?? 0) > modifiedAfter)
      .sort((a, b) => Number(a.id) - Number(b.id))
    return paged(url, url.host, `${API}/products`, products)
  })

  app.get(`${API}/products/:id/variations`, (c) => {
    const url = new URL(c.req.url)
    const site = siteOf(url.host)!
    const parent = site.products.get(c.req.param('id'))
    if (!parent || parent.type !== 'variable')
      return wooError('woocommerce_rest_product_invalid_id', 'Invalid ID.', 404)
    const direction = url.searchParams.get('order') === 'asc' ? 1 : -1
    const variations = [...site.products.values()]
      .filter((product) => String(product.parent_id) === c.req.param('id'))
      .sort((a, b) => direction * (Number(a.id) - Number(b.id)))
    return paged(url, url.host, `${API}/products/${c.req.param('id')}/variations`, variations)
  })

  app.get(`${API}/products/:id`, (c) => {
    const product = siteOf(new URL(c.req.url).host)!.products.get(c.req.param('id'))
    return product ? c.json(product) : wooError('woocommerce_rest_product_invalid_id', 'Invalid ID.', 404)
  })

  wooWebhookRoutes(app, API, (host) => siteOf(host)!, paged)
  wooStockRoutes(app, API, (host) => siteOf(host)!)
  return app
}

const app = createWooCommerceSimulatorApp()

export const wooCommerceSimulator: Simulator = {
  name: 'woocommerce',
  handles: (hostname) => hostname.endsWith('.woo.example'),
  fetch: (request) => app.fetch(request),
}
