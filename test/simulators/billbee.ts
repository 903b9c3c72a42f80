/**
 * Billbee's API (`app.billbee.io/api/v1`) for many accounts at once, keyed by API key: the key
 * header plus Basic auth on every call, 2 requests per second per endpoint (429 with
 * Retry-After beyond), the `{Paging, ErrorMessage, ErrorCode, ErrorDescription, Data}` envelope
 * with real-world quirks (timestamps without offset, decimals like `30.000`, nulls), orders by
 * state and tag, tags, order state, shipments, order messages and products. Every request is checked against
 * Billbee's swagger; what it would reject is recorded as a violation. Control routes take the
 * account's API key as `?account=`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { parse as parseYaml } from 'yaml'
import { createSpecValidator } from './openapi'
import type { Simulator } from './simulator'

type Json = Record<string, any>
type Account = {
  username: string
  apiPassword: string
  orders: Map<string, Json>
  products: Json[]
  shipments: Json[]
  /** Messages added to orders (`POST /orders/{id}/message`). */
  messages: Json[]
  requests: { method: string; path: string; query: Record<string, string[]>; body: unknown; status: number }[]
  violations: string[]
  lastCall: Map<string, number[]>
}

const accounts = new Map<string, Account>()
const PER_ENDPOINT_PER_SECOND = 2

let validator: ReturnType<typeof createSpecValidator> | undefined
function specValidator() {
  validator ??= createSpecValidator(
    parseYaml(readFileSync(fileURLToPath(new URL('./specs/billbee-swagger-kruegge82.yaml', import.meta.url)), 'utf8'))
  )
  return validator
}

/** A decimal written as Billbee writes it (`30.000`), not as JSON.stringify would. */
export const rawDecimal = (text: string) => ({ __rawDecimal: text })

function billbeeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && '__rawDecimal' in item ? `__RAW__${item.__rawDecimal}__RAW__` : item
  ).replace(/"__RAW__([-\d.]+)__RAW__"/g, '$1')
}

const envelope = (data: unknown, paging?: Json) =>
  new Response(
    billbeeJson({
      ...(paging ? { Paging: paging } : {}),
      ErrorMessage: null,
      ErrorCode: 0,
      ErrorDescription: 'NoError',
      Data: data,
    }),
    {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    }
  )

export function billbeeOrderPayload(overrides: Json = {}): Json {
  const id = overrides.BillBeeOrderId ?? 20_000_000_001
  return {
    BillBeeOrderId: id,
    BillBeeParentOrderId: null,
    Id: `EXT-${id}`,
    OrderNumber: `BB-${id}`,
    State: 3,
    VatMode: 0,
    CreatedAt: '2026-11-20T09:15:00',
    ShippedAt: null,
    ConfirmedAt: '2026-11-20T09:15:00.843',
    PayedAt: '2026-11-20T09:20:00',
    UpdatedAt: '2026-11-20T09:20:00',
    LastModifiedAt: '2026-11-20T09:20:00.123',
    Currency: 'EUR',
    TotalCost: rawDecimal('63.9000000'),
    ShippingCost: rawDecimal('4.900'),
    Tags: ['kontor'],
    ShippingProfileName: 'DHL Paket',
    ShippingProviderName: 'DHL',
    ShippingProviderId: 12345,
    InvoiceAddress: {
      FirstName: 'Jana',
      LastName: 'Beispiel',
      Company: null,
      Street: 'Lindenweg',
      HouseNumber: '7',
      Line2: null,
      Zip: '04109',
      City: 'Leipzig',
      CountryISO2: 'DE',
      Country: 'Deutschland',
      State: null,
      Email: 'jana@example.com',
      Phone: '+49 341 555000',
    },
    ShippingAddress: {
      FirstName: 'Jana',
      LastName: 'Beispiel',
      Street: 'Lindenweg',
      HouseNumber: '7',
      Zip: '04109',
      City: 'Leipzig',
      CountryISO2: 'DE',
      Email: null,
      Phone: null,
    },
    Customer: { Id: 998, Name: 'Jana Beispiel', Email: 'jana@example.com', Tel1: null, Tel2: null },
    OrderItems: [
      {
        BillbeeId: 5001,
        TransactionId: null,
        Quantity: rawDecimal('2.00'),
        TotalPrice: rawDecimal('59.000'),
        Product: { Id: '111', BillbeeId: 777, Title: 'Kaffeemühle', SKU: 'KM-1', EAN: '4006381333931', Type: 1 },
      },
    ],
    ...overrides,
  }
}

export function billbeeProductPayload(overrides: Json = {}): Json {
  return {
    Id: 777,
    Type: 1,
    SKU: 'KM-1',
    EAN: '4006381333931',
    Title: [{ Text: 'Kaffeemühle', LanguageCode: 'DE' }],
    ShortDescription: [{ Text: 'Handmühle aus Holz', LanguageCode: 'DE' }],
    Weight: 850,
    WidthCm: rawDecimal('12.000'),
    LengthCm: rawDecimal('12.000'),
    HeightCm: rawDecimal('20.500'),
    Category1: { Name: 'Küche', Id: 3 },
    BillOfMaterial: null,
    ...overrides,
  }
}

export function createBillbeeSimulatorApp() {
  const app = new Hono()
  const accountOf = (c: { req: { query(name: string): string | undefined } }) =>
    accounts.get(c.req.query('account') ?? '')

  app.post('/_sim/account', async (c) => {
    const body = await c.req.json()
    accounts.set(body.apiKey, {
      username: body.username,
      apiPassword: body.apiPassword,
      orders: new Map(),
      products: [],
      shipments: [],
      messages: [],
      requests: [],
      violations: [],
      lastCall: new Map(),
    })
    return c.json({ ok: true }, 201)
  })
  app.use('/_sim/*', async (c, next) => (accountOf(c) ? next() : c.json({ error: 'unknown account' }, 404)))
  app.post('/_sim/orders', async (c) => {
    const account = accountOf(c)!
    for (const order of (await c.req.json()).orders) {
      const full = billbeeOrderPayload(order)
      account.orders.set(String(full.BillBeeOrderId), full)
    }
    return c.json({ ok: true }, 201)
  })
  /** Adds products; one with the `Id` of a product the account has replaces it (a change in Billbee). */
  app.post('/_sim/products', async (c) => {
    const account = accountOf(c)!
    for (const product of (await c.req.json()).products.map((item: Json) => billbeeProductPayload(item))) {
      const index = account.products.findIndex((existing) => String(existing.Id) === String(product.Id))
      if (index >= 0) account.products[index] = product
      else account.products.push(product)
    }
    return c.json({ ok: true }, 201)
  })
  app.get('/_sim/orders/:id', (c) => {
    const account = accountOf(c)!
    const order = account.orders.get(c.req.param('id'))
    return order
      ? new Response(
          billbeeJson({
            ...order,
            shipments: account.shipments.filter((entry) => entry.orderId === c.req.param('id')),
            messages: account.messages.filter((entry) => entry.orderId === c.req.param('id')),
          })
        )
      : c.json({ error: 'not found' }, 404)
  })
  app.get('/_sim/requests', (c) => {
    const account = accountOf(c)!
    return c.json({ violations: account.violations, requests: account.requests })
  })

  app.use('/api/v1/*', async (c, next) => {
    const url = new URL(c.req.url)
    const account = accounts.get(c.req.header('x-billbee-api-key') ?? '')
    if (!account) return c.json({ Message: 'Authorization has been denied for this request.' }, 401)
    const raw = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text()
    const body = raw ? JSON.parse(raw) : null
    const query: Record<string, string[]> = {}
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value)
    const entry = { method: c.req.method, path: url.pathname, query, body, status: 0 }
    account.requests.push(entry)
    account.violations.push(...specValidator()(c.req.method, url.pathname, url.searchParams, body))
    if (c.req.header('authorization') !== `Basic ${btoa(`${account.username}:${account.apiPassword}`)}`) {
      entry.status = 401
      return c.json({ Message: 'Authorization has been denied for this request.' }, 401)
    }
    const endpoint = `${c.req.method} ${url.pathname.replace(/\/\d+(?=\/|$)/g, '/{id}')}`
    const now = Date.now()
    const recent = (account.lastCall.get(endpoint) ?? []).filter((at) => now - at < 1000)
    if (recent.length >= PER_ENDPOINT_PER_SECOND) {
      entry.status = 429
      return c.text('Too Many Requests', 429, { 'Retry-After': '1' })
    }
    account.lastCall.set(endpoint, [...recent, now])
    await next()
    entry.status = c.res.status
  })

  const accountOfApi = (c: { req: { header(name: string): string | undefined } }) =>
    accounts.get(c.req.header('x-billbee-api-key') ?? '')!

  app.get('/api/v1/orders', (c) => {
    const account = accountOfApi(c)
    const url = new URL(c.req.url)
    const pageSize = Number(url.searchParams.get('pageSize') ?? 50)
    const page = Number(url.searchParams.get('page') ?? 1)
    if (pageSize > 250)
      return c.json(
        { Message: 'Die Anforderung ist ungültig.', ModelState: { pageSize: ['pageSize must be 250 or less'] } },
        400
      )
    const states = url.searchParams.getAll('orderStateId').map(Number)
    const tags = url.searchParams.getAll('tag').map((tag) => tag.toLowerCase())
    const orders = [...account.orders.values()]
      .filter((order) => !states.length || states.includes(order.State))
      .filter(
        (order) =>
          !tags.length || tags.some((tag) => (order.Tags ?? []).map((t: string) => t.toLowerCase()).includes(tag))
      )
      .sort((a, b) => a.BillBeeOrderId - b.BillBeeOrderId)
    const totalPages = Math.max(1, Math.ceil(orders.length / pageSize))
    return envelope(orders.slice((page - 1) * pageSize, page * pageSize), {
      Page: page,
      TotalPages: totalPages,
      TotalRows: orders.length,
      PageSize: pageSize,
    })
  })

  app.get('/api/v1/orders/:id', (c) => {
    const account = accountOfApi(c)
    const order = account.orders.get(c.req.param('id'))
    // ShippingIds: the order's shipments as Billbee lists them (BB-SWAGGER Order.ShippingIds).
    const shippingIds = account.shipments
      .filter((entry) => entry.orderId === c.req.param('id'))
      .map((entry) => ({
        ShippingId: entry.ShippingId,
        ShippingProviderId: entry.ShippingProviderId ?? null,
        ShipmentType: 0,
      }))
    return order
      ? envelope({ ...order, ShippingIds: [...((order.ShippingIds as Json[] | undefined) ?? []), ...shippingIds] })
      : new Response(
          billbeeJson({ ErrorMessage: 'Order not found', ErrorCode: 2, ErrorDescription: 'OrderNotFound', Data: null }),
          { status: 404 }
        )
  })

  app.on(['POST', 'PUT'], '/api/v1/orders/:id/tags', async (c) => {
    const order = accountOfApi(c).orders.get(c.req.param('id'))
    if (!order) return c.json({ ErrorMessage: 'Order not found', ErrorCode: 2 }, 404)
    const { Tags } = (await c.req.json()) as { Tags: string[] }
    if (c.req.method === 'PUT') order.Tags = [...Tags]
    else
      for (const tag of Tags)
        if (!order.Tags.some((existing: string) => existing.toLowerCase() === tag.toLowerCase())) order.Tags.push(tag)
    return envelope(null)
  })

  app.put('/api/v1/orders/:id/orderstate', async (c) => {
    const order = accountOfApi(c).orders.get(c.req.param('id'))
    if (!order) return c.json({ ErrorMessage: 'Order not found', ErrorCode: 2 }, 404)
    const { NewStateId } = (await c.req.json()) as { NewStateId: number }
    if (!Number.isInteger(NewStateId) || NewStateId < 1 || NewStateId > 16)
      return c.json({ Message: 'Die Anforderung ist ungültig.' }, 400)
    order.State = NewStateId
    return envelope(null)
  })

  app.post('/api/v1/orders/:id/shipment', async (c) => {
    const account = accountOfApi(c)
    const id = c.req.param('id')
    if (!account.orders.has(id)) return c.json({ ErrorMessage: 'Order not found', ErrorCode: 2 }, 404)
    const body = (await c.req.json()) as Json
    if (!body.ShippingId)
      return c.json({ Message: 'Die Anforderung ist ungültig.', ModelState: { 'model.ShippingId': ['required'] } }, 400)
    account.shipments.push({ orderId: id, ...body })
    return envelope(null)
  })

  app.post('/api/v1/orders/:id/message', async (c) => {
    const account = accountOfApi(c)
    const id = c.req.param('id')
    if (!account.orders.has(id)) return c.json({ ErrorMessage: 'Order not found', ErrorCode: 2 }, 404)
    const body = (await c.req.json()) as Json
    if (typeof body.Text !== 'string' || !body.Text)
      return c.json(
        { Message: 'Die Anforderung ist ungültig.', ModelState: { 'orderMessage.Text': ['required'] } },
        400
      )
    account.messages.push({ orderId: id, ...body, Created: new Date().toISOString() })
    return envelope(null)
  })

  app.get('/api/v1/products', (c) => {
    const account = accountOfApi(c)
    const url = new URL(c.req.url)
    const pageSize = Number(url.searchParams.get('pageSize') ?? 50)
    const page = Number(url.searchParams.get('page') ?? 1)
    const totalPages = Math.max(1, Math.ceil(account.products.length / pageSize))
    return envelope(account.products.slice((page - 1) * pageSize, page * pageSize), {
      Page: page,
      TotalPages: totalPages,
      TotalRows: account.products.length,
      PageSize: pageSize,
    })
  })

  return app
}

const app = createBillbeeSimulatorApp()

export const billbeeSimulator: Simulator = {
  name: 'billbee',
  handles: (hostname) => hostname === 'app.billbee.io' || hostname === 'api.billbee.io',
  fetch: (request) => app.fetch(request),
}
