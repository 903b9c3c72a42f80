/**
 * Shopify simulator: the Admin REST API of any number of `*.myshopify.com` shops (orders list with
 * Link-header cursor paging, count, one order and its note, fulfilment orders, fulfilments, cancel, webhook
 * subscriptions in shopify/webhooks.ts, products with their variants in shopify/products.ts), a per-shop leaky bucket, injectable 429/500 faults, a
 * log of every API request, and a webhook sender that
 * serialises and signs exactly as Shopify does. It exists so Kontor's tests and `npm start` can
 * exercise the real wire protocol (platforms/shopify-woocommerce.md S1–S5) without the network.
 * State is in memory, keyed by the request's hostname; tests drive it through `/_sim/*` routes.
 */
import { Hono } from 'hono'
import type { Simulator } from './simulator'
import { cancelOrder, closeFulfillmentOrder, createFulfillment, settleOrder } from './shopify/fulfil'
import { compareIds, isIntegerId, parseLossless, toShopifyJson } from './shopify/json'
import { ApiError, filterOrders, pageOrders, pickFields } from './shopify/listing'
import { formatShopifyTime, fulfillmentOrderFor, newSubId, shopifyOrderPayload, trackingUrl } from './shopify/orders'
import { handleShopifyGraphql, inventorySnapshot, sellFromInventory, setInventory } from './shopify/inventory'
import { handleWebhooks, newSubscriptions, type Subscriptions } from './shopify/webhooks'
import { findProduct, handleProducts, listProducts, restProduct, storeProducts } from './shopify/products'

export { formatShopifyTime, parseLossless, shopifyOrderPayload, toShopifyJson }

type Json = Record<string, unknown>

export type RecordedRequest = {
  at: string
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  status: number
}

type Shop = {
  domain: string
  shopId: number
  accessToken: string
  webhookSecret: string | null
  bucketSize: number
  leakPerSecond: number
  level: number
  leakedAt: number
  faults: Map<number, number>
  /** Retry-After sent with injected 429s (default `2.0`). */
  retryAfter: string
  /** Broken answers, used up in order: an HTML error page, a 200 cut off mid-JSON, a slow answer. */
  brokenAnswers: {
    kind: 'html' | 'truncated' | 'delay'
    status: number
    count: number
    delayMs: number
    pathIncludes: string
  }[]
  orders: Map<string, Json>
  fulfillmentOrders: Map<string, Json>
  /** Webhook subscriptions made through the Admin API (`webhooks.json`). */
  webhooks: Subscriptions
  /** The access scopes the token was granted; null: all of them. */
  scopes: string[] | null
  requests: RecordedRequest[]
  nextGeneratedId: bigint
  nextOrderNumber: number
}

const INVALID_TOKEN = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }
const THROTTLED = {
  errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
}
const NOT_FOUND = { errors: 'Not Found' }

function reply(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(toShopifyJson(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text()
  if (!text.trim()) return undefined
  try {
    return parseLossless(text)
  } catch {
    throw new ApiError(400, { errors: 'Bad Request: the body is not valid JSON' })
  }
}

/** base64(HMAC-SHA256(secret, rawBody)) over the exact bytes, as in `X-Shopify-Hmac-Sha256`. */
export async function signShopifyWebhook(secret: string, rawBody: string): Promise<string> {
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(rawBody)))
  let binary = ''
  for (const byte of mac) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** A stored order's fulfilment order state follows the order (closed once fulfilled or cancelled). */
function storeOrder(shop: Shop, order: Json) {
  const id = String(order.id)
  shop.orders.set(id, order)
  const existing = [...shop.fulfillmentOrders.values()].filter((fo) => String(fo.order_id) === id)
  if (existing.some((fo) => fo.status !== 'open')) return
  for (const fo of existing) shop.fulfillmentOrders.delete(String(fo.id))
  const fulfillmentOrder = fulfillmentOrderFor(order, shop.shopId)
  if (order.fulfillment_status === 'fulfilled' || order.cancelled_at || order.closed_at)
    closeFulfillmentOrder(fulfillmentOrder, String(order.updated_at))
  shop.fulfillmentOrders.set(String(fulfillmentOrder.id), fulfillmentOrder)
}

const asId = (value: bigint) => (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString())

/** Generated order i of n: spread over the last 30 days; every 7th pending, 10th fulfilled, 25th cancelled. */
function generatedOrder(shop: Shop, index: number, count: number, id: bigint, createdAt: string | undefined): Json {
  const now = Date.now()
  const created = createdAt
    ? new Date(createdAt)
    : new Date(now - 30 * 86_400_000 + ((index + 0.5) / count) * 29 * 86_400_000)
  const updated = new Date(Math.min(now, created.getTime() + (index % 5) * 13 * 60_000))
  const order = shopifyOrderPayload({
    id: asId(id),
    order_number: shop.nextOrderNumber++,
    created_at: formatShopifyTime(created),
    updated_at: formatShopifyTime(updated),
    financial_status: index % 7 === 3 ? 'pending' : 'paid',
  })
  const at = String(order.updated_at)
  if (index % 25 === 24) {
    Object.assign(order, {
      cancelled_at: at,
      cancel_reason: 'customer',
      financial_status: order.financial_status === 'paid' ? 'refunded' : 'voided',
    })
  } else if (index % 10 === 9) {
    const number = `1Z${String(id).slice(-10).padStart(16, '0')}`
    for (const line of order.line_items as Json[])
      Object.assign(line, { fulfillable_quantity: 0, fulfillment_status: 'fulfilled' })
    const fulfillmentId = newSubId()
    order.fulfillments = [
      {
        id: fulfillmentId,
        order_id: order.id,
        status: 'success',
        created_at: at,
        updated_at: at,
        service: 'manual',
        tracking_company: 'UPS',
        tracking_number: number,
        tracking_numbers: [number],
        tracking_url: trackingUrl('UPS', number),
        tracking_urls: [trackingUrl('UPS', number)],
        shipment_status: null,
        name: `${order.name}.1`,
        line_items: order.line_items,
        admin_graphql_api_id: `gid://shopify/Fulfillment/${fulfillmentId}`,
      },
    ]
    settleOrder(order, at)
  }
  return order
}

/** The Hono app behind the simulator; `fetch` is what webhook deliveries are sent with. */
export function createShopifySimulatorApp(options: { fetch?: typeof fetch } = {}): Hono {
  const shops = new Map<string, Shop>()
  const app = new Hono()
  const hostOf = (request: Request) => new URL(request.url).hostname.toLowerCase()
  const shopOf = (request: Request) => {
    const shop = shops.get(hostOf(request))
    if (!shop) throw new ApiError(404, { errors: `no simulated shop ${hostOf(request)}: POST /_sim/shop first` })
    return shop
  }

  app.onError((error) =>
    error instanceof ApiError ? reply(error.body, error.status) : reply({ errors: String(error) }, 500)
  )

  // ---- control routes (no auth) ----
  app.post('/_sim/shop', async (c) => {
    const input = ((await readJson(c.req.raw)) ?? {}) as Json
    if (typeof input.accessToken !== 'string' || !input.accessToken)
      throw new ApiError(400, { errors: 'accessToken is required' })
    const domain = hostOf(c.req.raw)
    shops.set(domain, {
      domain,
      shopId: 548380000 + Math.floor(Math.random() * 100_000),
      accessToken: input.accessToken,
      webhookSecret: typeof input.webhookSecret === 'string' ? input.webhookSecret : null,
      bucketSize: Number(input.bucketSize ?? 40),
      leakPerSecond: Number(input.leakPerSecond ?? 2),
      level: 0,
      leakedAt: Date.now(),
      faults: new Map(),
      retryAfter: '2.0',
      brokenAnswers: [],
      orders: new Map(),
      fulfillmentOrders: new Map(),
      webhooks: newSubscriptions(),
      scopes: Array.isArray(input.scopes) ? input.scopes.map(String) : null,
      requests: [],
      nextGeneratedId: 4_500_000_000_000n + BigInt(Math.floor(Math.random() * 1_000_000)) * 1000n,
      nextOrderNumber: 1001,
    })
    return reply({ shop: domain, ok: true }, 201)
  })

  app.post('/_sim/orders', async (c) => {
    const shop = shopOf(c.req.raw)
    const input = ((await readJson(c.req.raw)) ?? {}) as Json
    const stored: Json[] = []
    if (Array.isArray(input.orders)) {
      for (const partial of input.orders as Json[]) {
        const defaults: Json = {}
        if (partial.id === undefined) defaults.id = asId(shop.nextGeneratedId++)
        if (partial.order_number === undefined && partial.name === undefined)
          defaults.order_number = shop.nextOrderNumber++
        stored.push(shopifyOrderPayload({ ...defaults, ...partial }))
      }
    } else if (typeof input.generate === 'number' && input.generate >= 0) {
      const start = input.startId !== undefined ? BigInt(String(input.startId)) : shop.nextGeneratedId
      for (let index = 0; index < input.generate; index++) {
        stored.push(
          generatedOrder(
            shop,
            index,
            input.generate,
            start + BigInt(index),
            typeof input.createdAt === 'string' ? input.createdAt : undefined
          )
        )
      }
      if (start + BigInt(input.generate) > shop.nextGeneratedId) shop.nextGeneratedId = start + BigInt(input.generate)
    } else {
      throw new ApiError(400, { errors: 'send {orders:[…]} or {generate:N, startId?, createdAt?}' })
    }
    for (const order of stored) {
      if (!isIntegerId(order.id)) throw new ApiError(400, { errors: `order id ${String(order.id)} is not an integer` })
      storeOrder(shop, order)
    }
    return reply({ count: stored.length, ids: stored.map((order) => ({ id: order.id })) }, 201)
  })

  app.get('/_sim/orders', (c) =>
    reply({ orders: [...shopOf(c.req.raw).orders.values()].sort((a, b) => compareIds(a.id, b.id)) })
  )

  app.get('/_sim/orders/:id', (c) => {
    const order = shopOf(c.req.raw).orders.get(c.req.param('id'))
    return order ? reply(order) : reply(NOT_FOUND, 404)
  })

  app.post('/_sim/faults', async (c) => {
    const shop = shopOf(c.req.raw)
    const input = ((await readJson(c.req.raw)) ?? {}) as Json
    // {kind: 'html' | 'truncated' | 'delay', count, status?, delayMs?, pathIncludes?}: a broken answer instead of
    // a failure status (a proxy's HTML page, JSON cut off mid-body, an answer after delayMs).
    if (input.kind === 'html' || input.kind === 'truncated' || input.kind === 'delay') {
      shop.brokenAnswers.push({
        kind: input.kind,
        status: Number(input.status ?? (input.kind === 'html' ? 502 : 200)),
        count: Math.max(0, Number(input.count ?? 1)),
        delayMs: Number(input.delayMs ?? 0),
        pathIncludes: typeof input.pathIncludes === 'string' ? input.pathIncludes : '',
      })
      return reply({ brokenAnswers: shop.brokenAnswers })
    }
    if (input.status !== 429 && input.status !== 500) throw new ApiError(400, { errors: 'status must be 429 or 500' })
    shop.faults.set(input.status, Math.max(0, Number(input.count ?? 1)))
    if (typeof input.retryAfter === 'string') shop.retryAfter = input.retryAfter
    return reply({ faults: Object.fromEntries(shop.faults) })
  })

  app.get('/_sim/requests', (c) => reply({ requests: shopOf(c.req.raw).requests }))
  app.post('/_sim/products', async (c) => {
    const input = ((await readJson(c.req.raw)) ?? {}) as Json
    if (!Array.isArray(input.products)) throw new ApiError(400, { errors: 'send {products:[…]}' })
    const stored = storeProducts(shopOf(c.req.raw), input.products as Json[])
    return reply({ count: stored.length, ids: stored.map((product) => ({ id: product.id })) }, 201)
  })
  app.get('/_sim/products', (c) => reply({ products: listProducts(shopOf(c.req.raw)) }))
  app.post('/_sim/inventory', async (c) => {
    setInventory(shopOf(c.req.raw), await c.req.json())
    return reply(inventorySnapshot(shopOf(c.req.raw)))
  })
  app.get('/_sim/inventory', (c) => reply(inventorySnapshot(shopOf(c.req.raw))))
  app.post('/_sim/inventory/order', async (c) => {
    const body = (await c.req.json()) as { sku: string; quantity: number }
    return sellFromInventory(shopOf(c.req.raw), body.sku, body.quantity) ? reply({ ok: true }) : reply(NOT_FOUND, 404)
  })

  // Webhook subscriptions; deleting one is what Shopify does after 8 failed deliveries in a row.
  app.get('/_sim/webhooks', (c) => reply({ webhooks: [...shopOf(c.req.raw).webhooks.byId.values()] }))
  app.delete('/_sim/webhooks/:id', (c) =>
    shopOf(c.req.raw).webhooks.byId.delete(c.req.param('id')) ? reply({ ok: true }) : reply(NOT_FOUND, 404)
  )

  app.post('/_sim/webhooks/send', async (c) => {
    const domain = hostOf(c.req.raw)
    const shop = shops.get(domain)
    const input = ((await readJson(c.req.raw)) ?? {}) as Json
    if (typeof input.topic !== 'string') throw new ApiError(400, { errors: 'topic is required' })
    // products/*: the product as REST serves it, from `product` or the stored `productId`.
    let payload = (input.order ?? input.product) as Json | undefined
    if (payload === undefined && input.productId !== undefined) {
      const product = findProduct(shopOf(c.req.raw), String(input.productId))
      if (!product) throw new ApiError(404, { errors: `no product ${String(input.productId)} in ${domain}` })
      payload = restProduct(product)
    }
    if (payload === undefined) {
      payload = shopOf(c.req.raw).orders.get(String(input.orderId))
      if (!payload) throw new ApiError(404, { errors: `no order ${String(input.orderId)} in ${domain}` })
    }
    if (input.topic.endsWith('/delete')) payload = { id: payload.id }
    const secret = typeof input.secret === 'string' ? input.secret : shop?.webhookSecret
    if (!secret)
      throw new ApiError(400, { errors: 'no webhook secret: pass secret or set webhookSecret on /_sim/shop' })
    const rawBody = toShopifyJson(payload, { shopifyEscapes: true })
    const webhookId = typeof input.webhookId === 'string' ? input.webhookId : crypto.randomUUID()
    const eventId = typeof input.eventId === 'string' ? input.eventId : crypto.randomUUID()
    const headers = {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': input.topic,
      'X-Shopify-Hmac-Sha256': await signShopifyWebhook(secret, rawBody),
      'X-Shopify-Shop-Domain': domain,
      'X-Shopify-API-Version': typeof input.apiVersion === 'string' ? input.apiVersion : '2025-10',
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Triggered-At': new Date().toISOString(),
      'X-Shopify-Event-Id': eventId,
    }
    // Without a url nothing is sent: the caller gets the signed delivery to post itself.
    if (typeof input.url !== 'string') return reply({ headers, rawBody, webhookId, eventId })
    const send = options.fetch ?? globalThis.fetch
    try {
      const response = await send(input.url, { method: 'POST', headers, body: rawBody })
      return reply({ status: response.status, body: await response.text(), webhookId, eventId })
    } catch (error) {
      return reply({ errors: `delivery to ${input.url} failed: ${String(error)}` }, 502)
    }
  })

  // ---- Admin REST API ----
  app.all('/admin/api/:version/*', async (c) => {
    const shop = shops.get(hostOf(c.req.raw))
    if (!shop) return reply(INVALID_TOKEN, 401)
    const url = new URL(c.req.url)
    const version = c.req.param('version')
    const route = url.pathname.slice(`/admin/api/${version}/`.length)
    const record: RecordedRequest = {
      at: new Date().toISOString(),
      method: c.req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
    }
    shop.requests.push(record)

    const respond = (response: Response) => {
      record.status = response.status
      response.headers.set('X-Shopify-Shop-Api-Call-Limit', `${Math.ceil(shop.level)}/${shop.bucketSize}`)
      response.headers.set('X-Shopify-API-Version', version)
      return response
    }
    try {
      record.body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await readJson(c.req.raw)
      if (c.req.header('x-shopify-access-token') !== shop.accessToken) return respond(reply(INVALID_TOKEN, 401))

      const now = Date.now()
      shop.level = Math.max(0, shop.level - ((now - shop.leakedAt) / 1000) * shop.leakPerSecond)
      shop.leakedAt = now
      for (const status of [500, 429]) {
        const left = shop.faults.get(status) ?? 0
        if (left > 0) {
          shop.faults.set(status, left - 1)
          return respond(
            status === 429
              ? reply(THROTTLED, 429, { 'Retry-After': shop.retryAfter })
              : reply({ errors: 'Internal Server Error' }, 500)
          )
        }
      }
      const broken = shop.brokenAnswers.find(
        (candidate) => candidate.count > 0 && url.pathname.includes(candidate.pathIncludes)
      )
      if (broken) {
        broken.count--
        if (broken.kind === 'html') {
          return respond(
            new Response(
              `<html>\r\n<head><title>${broken.status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${broken.status} Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`,
              { status: broken.status, headers: { 'content-type': 'text/html' } }
            )
          )
        }
        const answer = await handleAdmin(shop, c.req.method, route, url, record.body)
        if (broken.kind === 'delay') {
          await new Promise((resolve) => setTimeout(resolve, broken.delayMs))
          return respond(answer)
        }
        const text = await answer.text()
        return respond(
          new Response(text.slice(0, Math.floor(text.length / 2)), { status: broken.status, headers: answer.headers })
        )
      }
      if (shop.level + 1 > shop.bucketSize) return respond(reply(THROTTLED, 429, { 'Retry-After': '2.0' }))
      const scope = route.startsWith('products') ? 'read_products' : null
      if (scope && shop.scopes && !shop.scopes.includes(scope))
        return respond(reply({ errors: `[API] This action requires merchant approval for ${scope} scope.` }, 403))
      shop.level += 1
      return respond(await handleAdmin(shop, c.req.method, route, url, record.body))
    } catch (error) {
      if (error instanceof ApiError) return respond(reply(error.body, error.status))
      throw error
    }
  })

  app.notFound(() => reply(NOT_FOUND, 404))
  return app
}

async function handleAdmin(shop: Shop, method: string, route: string, url: URL, body: unknown): Promise<Response> {
  const fields = url.searchParams.get('fields')
  const version = url.pathname.split('/')[3]
  const webhooks = handleWebhooks(shop.webhooks, method, route, url, body, version)
  if (webhooks) return reply(webhooks.body, webhooks.status)
  const productAnswer = handleProducts(shop, shop.domain, method, route, url)
  if (productAnswer) return reply(productAnswer.body, 200, productAnswer.headers)
  const sorted = () => [...shop.orders.values()].sort((a, b) => compareIds(a.id, b.id))
  let match: RegExpExecArray | null
  if (method === 'POST' && route === 'graphql.json') {
    const answer = await handleShopifyGraphql(shop, version, body)
    return reply(answer.body, answer.status)
  }
  if (method === 'GET' && route === 'orders.json') {
    const base = `https://${shop.domain}${url.pathname}`
    const page = pageOrders(sorted(), url.searchParams, base)
    return reply(
      { orders: page.orders.map((order) => pickFields(order, fields)) },
      200,
      page.link ? { Link: page.link } : {}
    )
  }
  if (method === 'GET' && route === 'orders/count.json') {
    const filters = Object.fromEntries(
      [...url.searchParams].filter(([key]) => key !== 'limit' && key !== 'fields' && key !== 'page_info')
    )
    return reply({ count: filterOrders(sorted(), filters).length })
  }
  if (method === 'GET' && (match = /^orders\/(\d+)\.json$/.exec(route))) {
    const order = shop.orders.get(match[1])
    return order ? reply({ order: pickFields(order, fields) }) : reply(NOT_FOUND, 404)
  }
  if (method === 'PUT' && (match = /^orders\/(\d+)\.json$/.exec(route))) {
    const order = shop.orders.get(match[1])
    if (!order) return reply(NOT_FOUND, 404)
    const changes = ((body as Json | undefined)?.order ?? {}) as Json
    // Only the fields a merchant's app may edit on an order; the rest is Shopify's to keep.
    for (const field of ['note', 'note_attributes', 'tags', 'email', 'phone'])
      if (field in changes) order[field] = changes[field]
    order.updated_at = formatShopifyTime(new Date())
    return reply({ order })
  }
  if (method === 'GET' && (match = /^orders\/(\d+)\/fulfillment_orders\.json$/.exec(route))) {
    if (!shop.orders.has(match[1])) return reply(NOT_FOUND, 404)
    const orderId = match[1]
    return reply({
      fulfillment_orders: [...shop.fulfillmentOrders.values()].filter((fo) => String(fo.order_id) === orderId),
    })
  }
  if (method === 'GET' && (match = /^fulfillment_orders\/(\d+)\.json$/.exec(route))) {
    const fulfillmentOrder = shop.fulfillmentOrders.get(match[1])
    return fulfillmentOrder ? reply({ fulfillment_order: fulfillmentOrder }) : reply(NOT_FOUND, 404)
  }
  if (method === 'POST' && route === 'fulfillments.json') {
    return reply({ fulfillment: createFulfillment(shop, body) }, 201)
  }
  if (method === 'POST' && (match = /^orders\/(\d+)\/cancel\.json$/.exec(route))) {
    return reply({ order: cancelOrder(shop, match[1], body) })
  }
  return reply(NOT_FOUND, 404)
}

const sharedApp = createShopifySimulatorApp()

export const shopifySimulator: Simulator = {
  name: 'shopify',
  handles: (hostname) => hostname.toLowerCase().endsWith('.myshopify.com'),
  fetch: (request) => sharedApp.fetch(request),
}
