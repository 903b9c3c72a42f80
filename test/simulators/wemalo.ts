/**
 * A wemalo-connect account per host (`wemalo.test`, `*.wemalo.test`), API under `/v1`:
 * `Authorization: JWT <token>`; goods orders (add, getStatus, updateMeta and cancel — both refused
 * once the order is in picking or later, packages and tracking numbers by parcel); sent packages
 * without a synch date and their acknowledgement (`PUT /goodsOrder/packages/sent/:bookingId`); the
 * product master (wemalo/products.ts); webhook registration
 * (add, list, delete); `x-wemalo-limit-maxcall` / `x-wemalo-limit-remainingcall` on every answer
 * and 419 once the calls of a window are used up; booked returns and their acknowledgement
 * (wemalo/returns.ts); fault injection (`POST /_sim/faults {status,
 * count, mode, path}`: 500 for N calls, or with `mode: "lost"` the call takes effect but answers
 * 500, or with `mode: "unreadable"` a 200 whose body is not JSON). Every request is checked against the apidoc (wemalo-apidoc.ts) and what it would reject
 * is recorded as a violation (`GET /_sim/requests`, `GET /_sim/state`).
 *
 * Callbacks: `/_sim/callbacks/send` builds the POST Wemalo sends to the hook registered for an
 * event (with the registered token in the body, a `token` header or Authorization, as the account
 * is set up) and sends it through `fetch` (injectable; the test process's own fetch is routed by
 * router.ts). With `deliver: false` it only returns the delivery, for a test inside workerd to post
 * to the Worker itself. After 10 failed deliveries a hook is dropped, as Wemalo does. The status
 * and ship control routes send their callbacks themselves with `notify: true` (`npm start`).
 *
 * Error bodies are `{"Success": false, "status", "error": NOT_FOUND|INVALID|missingParameter,
 * "field"?, "message"}`: the apidoc names the error types but publishes no schema. Status ids other
 * than 100 (PARTIAL) and 500 (sent) are not documented; the ones here are made up.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import type { Simulator } from './simulator'
import { createApidocValidator } from './wemalo-apidoc'
import { mountWemaloProductRoutes } from './wemalo/products'
import { mountWemaloReturns } from './wemalo/returns'
import { mountWemaloStock } from './wemalo/stock'

type Json = Record<string, any>
type GoodsOrder = {
  id: number
  externalId: string
  orderNumber: string
  statusName: string
  reasonPartiallyReserved: string
  blockReason: string
  body: Json
  createdAt: string
}
type Parcel = {
  id: number
  goodsOrderId: number
  externalId: string
  trackingNumber: string
  carrier: string
  profileName: string
}
type Booking = Json & { historyId: string; synchedAt: string | null }
type Hook = { event: string; payload: string; token: string; email: string; failures: number }
/** `unreadable`: a 200 whose body is not the JSON the apidoc promises (a proxy's HTML page). */
type Fault = { status: number; mode: 'error' | 'lost' | 'unreadable'; times: number; path: string | null }
type Delivery = {
  event: string
  url: string
  method: 'POST'
  headers: Record<string, string>
  body: string
  status?: number
  error?: string
}
type Account = {
  token: string
  maxCall: number
  windowMs: number
  remaining: number
  windowStart: number
  pageSize: number
  initialStatus: string
  tokenPlace: 'body' | 'header' | 'authorization' | 'none'
  goodsOrders: Map<string, GoodsOrder>
  parcels: Map<string, Parcel>
  bookings: Booking[]
  hooks: Map<string, Hook>
  droppedHooks: string[]
  faults: Fault[]
  nextId: number
  requests: {
    method: string
    path: string
    query: Record<string, string>
    body: unknown
    status: number
    authorization: string | null
  }[]
  violations: string[]
  deliveries: Delivery[]
}

export const WEMALO_STATUS_IDS: Record<string, string> = {
  PARTIAL: '100',
  OPEN: '200',
  INPROCESS: '300',
  INPICKING: '310',
  READYFORSHIPMENT: '350',
  BLOCKEDPACKED: '380',
  PACKED: '400',
  SHIPPED: '500',
  CANCELLED: '900',
}
/** Wemalo cancels "if the order was not picked/packed yet". */
const CANCELLABLE = ['PARTIAL', 'OPEN']
const EVENTS = ['status_update', 'stock_change', 'refurbishment_action', 'trackingnumber_added']
const MAX_FAILED_DELIVERIES = 10

let validator: ReturnType<typeof createApidocValidator> | undefined
function apidocValidator() {
  validator ??= createApidocValidator(
    JSON.parse(readFileSync(fileURLToPath(new URL('./specs/wemalo-connect-apidoc-api.json', import.meta.url)), 'utf8')),
    '/v1'
  )
  return validator
}

const wemaloTime = (date: Date) => {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${pad(date.getUTCDate())}.${pad(date.getUTCMonth() + 1)}.${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
}

const fail = (status: number, error: string, message: string, field?: string) =>
  Response.json({ Success: false, status, error, ...(field ? { field } : {}), message }, { status })

export function createWemaloSimulatorApp(options: { fetch?: typeof fetch } = {}) {
  const accounts = new Map<string, Account>()
  const app = new Hono()
  const hostOf = (url: string) => new URL(url).hostname.toLowerCase()
  const accountOf = (url: string) => accounts.get(hostOf(url))

  /** Builds (and unless `deliver: false`, sends) the callback Wemalo posts to the hook of an event. */
  async function sendCallback(
    account: Account,
    input: Json
  ): Promise<{ deliveries: Delivery[]; reason?: string } | { error: string }> {
    const hook = account.hooks.get(input.event)
    if (!hook) return { deliveries: [], reason: `no hook registered for ${input.event}` }
    let payload: Json
    if (input.event === 'status_update') {
      const order = account.goodsOrders.get(String(input.externalId))
      if (!order) return { error: `no goods order ${input.externalId}` }
      payload = { orderId: order.id, externalId: order.externalId, orderNumber: order.orderNumber }
    } else if (input.event === 'trackingnumber_added') {
      const parcel = account.parcels.get(String(input.parcelId))
      if (!parcel) return { error: `no parcel ${input.parcelId}` }
      payload = { goodsOrderId: parcel.goodsOrderId, goodsOrderParcelId: parcel.id }
    } else {
      payload = input.payload ?? {}
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (account.tokenPlace === 'body') payload.token = hook.token
    if (account.tokenPlace === 'header') headers.token = hook.token
    if (account.tokenPlace === 'authorization') headers.authorization = hook.token
    const delivery: Delivery = {
      event: input.event,
      url: hook.payload,
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
    }
    if (input.deliver !== false) {
      try {
        const response = await (options.fetch ?? globalThis.fetch)(hook.payload, {
          method: 'POST',
          headers,
          body: delivery.body,
        })
        delivery.status = response.status
        await response.body?.cancel()
      } catch (error) {
        delivery.error = String(error)
      }
      if (!delivery.status || delivery.status >= 300) {
        hook.failures++
        if (hook.failures >= MAX_FAILED_DELIVERIES) {
          account.hooks.delete(hook.event)
          account.droppedHooks.push(hook.event)
        }
      } else {
        hook.failures = 0
      }
    }
    account.deliveries.push(delivery)
    return { deliveries: [delivery] }
  }

  // ---- control routes ----
  app.post('/_sim/account', async (c) => {
    const body = ((await c.req.json().catch(() => ({}))) ?? {}) as Json
    const maxCall = body.maxCall ?? 10_000
    accounts.set(hostOf(c.req.url), {
      token: body.token ?? 'wemalo-token',
      maxCall,
      windowMs: (body.windowSeconds ?? 60) * 1000,
      remaining: maxCall,
      windowStart: Date.now(),
      pageSize: body.pageSize ?? 50,
      initialStatus: body.initialStatus ?? 'OPEN',
      tokenPlace: body.tokenPlace ?? 'body',
      goodsOrders: new Map(),
      parcels: new Map(),
      bookings: [],
      hooks: new Map(),
      droppedHooks: [],
      faults: [],
      nextId: 7001,
      requests: [],
      violations: [],
      deliveries: [],
    })
    return c.json({ ok: true }, 201)
  })
  app.use('/_sim/*', async (c, next) =>
    accountOf(c.req.url) ? next() : c.json({ error: 'no such account: POST /_sim/account first' }, 404)
  )

  app.get('/_sim/state', (c) => {
    const account = accountOf(c.req.url)!
    return c.json({
      requests: account.requests,
      violations: account.violations,
      hooks: [...account.hooks.values()],
      droppedHooks: account.droppedHooks,
      bookings: account.bookings,
      goodsOrders: [...account.goodsOrders.values()],
      deliveries: account.deliveries,
      remaining: account.remaining,
    })
  })
  /** As every simulator has it (scripts/simulators-server.ts): what it received, and what the apidoc would reject. */
  app.get('/_sim/requests', (c) => {
    const account = accountOf(c.req.url)!
    return c.json({ requests: account.requests, violations: account.violations })
  })
  app.get('/_sim/goodsOrders', (c) => c.json({ goodsOrders: [...accountOf(c.req.url)!.goodsOrders.values()] }))
  app.get('/_sim/goodsOrders/:externalId', (c) => {
    const order = accountOf(c.req.url)!.goodsOrders.get(c.req.param('externalId'))
    return order ? c.json(order) : c.json({ error: 'not found' }, 404)
  })
  app.post('/_sim/goodsOrders/:externalId/status', async (c) => {
    const order = accountOf(c.req.url)!.goodsOrders.get(c.req.param('externalId'))
    if (!order) return c.json({ error: 'not found' }, 404)
    const body = (await c.req.json()) as Json
    order.statusName = body.statusName
    order.reasonPartiallyReserved = body.reason ?? ''
    order.blockReason = body.blockReason ?? ''
    // `notify: true` sends the status_update as Wemalo would (for `npm start` and curl).
    if (body.notify) await sendCallback(accountOf(c.req.url)!, { event: 'status_update', externalId: order.externalId })
    return c.json(order)
  })
  /** Packs and hands a parcel over: a tracking number, a sent booking without synch date, SHIPPED. */
  app.post('/_sim/goodsOrders/:externalId/ship', async (c) => {
    const account = accountOf(c.req.url)!
    const order = account.goodsOrders.get(c.req.param('externalId'))
    if (!order) return c.json({ error: 'not found' }, 404)
    const body = ((await c.req.json().catch(() => ({}))) ?? {}) as Json
    const parcel: Parcel = {
      id: account.nextId++,
      goodsOrderId: order.id,
      externalId: order.externalId,
      trackingNumber: body.trackingNumber ?? `00340434${account.nextId}`,
      carrier: body.carrier ?? 'DHL',
      profileName: body.profileName ?? 'DHL Paket National',
    }
    account.parcels.set(String(parcel.id), parcel)
    const positions = (order.body.positions ?? []) as Json[]
    const now = wemaloTime(new Date())
    const bookingIds: string[] = []
    for (const position of positions.length ? positions : [{ externalId: 'unknown', quantity: 1 }]) {
      const historyId = String(account.nextId++)
      bookingIds.push(historyId)
      account.bookings.push({
        historyId,
        synchedAt: null,
        externalProductId: position.externalId,
        productId: String(account.nextId++),
        productName: position.externalId,
        sku: position.externalId,
        packageId: String(parcel.id),
        orderStatusId: body.partial ? '400' : '500',
        goodsOrderId: order.id,
        orderNumberCustomer: order.orderNumber,
        externalGoodsOrderId: order.externalId,
        handoverDate: now,
        bookingDate: now,
        trackingNumber: parcel.trackingNumber,
        count: position.quantity ?? 1,
        serialNumber: '',
        dispatcherName: parcel.carrier,
        dispatcherProduct: parcel.profileName,
      })
    }
    if (!body.partial) order.statusName = 'SHIPPED'
    if (body.notify) {
      await sendCallback(account, { event: 'trackingnumber_added', parcelId: parcel.id })
      await sendCallback(account, { event: 'status_update', externalId: order.externalId })
    }
    return c.json({ parcelId: parcel.id, bookingIds, trackingNumber: parcel.trackingNumber })
  })
  app.post('/_sim/faults', async (c) => {
    const body = (await c.req.json()) as Json
    accountOf(c.req.url)!.faults.push({
      status: body.status ?? 500,
      mode: body.mode ?? 'error',
      times: body.times ?? body.count ?? 1,
      path: body.path ?? null,
    })
    return c.json({ ok: true })
  })
  /** Clears the faults not yet used up. */
  app.delete('/_sim/faults', (c) => {
    accountOf(c.req.url)!.faults.length = 0
    return c.json({ ok: true })
  })
  /** As after 10 failed deliveries: the hook is gone (and Wemalo would have mailed). */
  app.post('/_sim/webhooks/drop', async (c) => {
    const account = accountOf(c.req.url)!
    const { event } = (await c.req.json()) as Json
    if (account.hooks.delete(event)) account.droppedHooks.push(event)
    return c.json({ ok: true })
  })
  app.post('/_sim/callbacks/send', async (c) => {
    const account = accountOf(c.req.url)!
    const input = (await c.req.json()) as Json
    const result = await sendCallback(account, input)
    if ('error' in result) return c.json({ error: result.error }, 404)
    return c.json(result)
  })

  // ---- the API ----
  app.use('/v1/*', async (c, next) => {
    const account = accountOf(c.req.url)
    if (!account) return c.text('Not Found', 404)
    const url = new URL(c.req.url)
    const type = c.req.header('content-type') ?? ''
    const raw = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text()
    let body: unknown = null
    if (raw) {
      try {
        body = JSON.parse(raw)
      } catch {
        body = raw
        account.violations.push(`${c.req.method} ${url.pathname}: the body is not JSON`)
      }
    }
    const entry = {
      method: c.req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
      authorization: c.req.header('authorization') ?? null,
    }
    account.requests.push(entry)
    account.violations.push(...apidocValidator()(c.req.method, url.pathname, url.searchParams, body, type))

    const rateHeaders = () => ({
      'x-wemalo-limit-maxcall': String(account.maxCall),
      'x-wemalo-limit-remainingcall': String(Math.max(0, account.remaining)),
    })
    if (entry.authorization !== `JWT ${account.token}`) {
      entry.status = 401
      return fail(401, 'UNAUTHORIZED', 'invalid or missing token')
    }
    if (Date.now() - account.windowStart >= account.windowMs) {
      account.windowStart = Date.now()
      account.remaining = account.maxCall
    }
    account.remaining--
    if (account.remaining < 0) {
      entry.status = 419
      const response = fail(419, 'LIMIT', 'call limit reached, try again later')
      for (const [name, value] of Object.entries(rateHeaders())) response.headers.set(name, value)
      return response
    }
    const route = url.pathname.slice(3)
    const fault = account.faults.find(
      (candidate) => candidate.times > 0 && (!candidate.path || route.startsWith(candidate.path))
    )
    if (fault) fault.times--
    if (fault?.mode === 'error') {
      entry.status = fault.status
      return fail(fault.status, 'SERVER', 'internal server error')
    }
    if (fault?.mode === 'unreadable') {
      entry.status = 200
      return c.body('<html><body>Bad gateway</body></html>', 200, { 'content-type': 'text/html' })
    }
    await next()
    if (fault?.mode === 'lost') {
      entry.status = fault.status
      c.res = fail(fault.status, 'SERVER', 'internal server error')
    }
    entry.status = c.res.status
    for (const [name, value] of Object.entries(rateHeaders())) c.res.headers.set(name, value)
  })

  const jsonBody = (c: { req: { url: string } }) => {
    const account = accountOf(c.req.url)!
    const body = account.requests[account.requests.length - 1].body
    return (body && typeof body === 'object' ? body : {}) as Json
  }
  mountWemaloStock(app, accountOf, jsonBody, sendCallback)
  const statusOf = (order: GoodsOrder) => ({
    statusId: WEMALO_STATUS_IDS[order.statusName] ?? '0',
    statusName: order.statusName,
    reasonPartiallyReserved: order.reasonPartiallyReserved,
    blockReason: order.blockReason,
    id: order.id,
    orderNumber: order.orderNumber,
    deliveryDate: '',
    Success: true,
  })

  app.post('/v1/goodsOrder/add', (c) => {
    const account = accountOf(c.req.url)!
    const body = jsonBody(c)
    const meta = body.meta as Json | undefined
    if (!meta || typeof meta.externalId !== 'string' || !meta.externalId)
      return fail(400, 'missingParameter', 'meta.externalId is required', 'meta.externalId')
    const receivers = Array.isArray(meta.receiver) ? (meta.receiver as Json[]) : []
    if (!receivers.length) return fail(400, 'missingParameter', 'meta.receiver is required', 'meta.receiver')
    for (const field of ['name1', 'street', 'countryCode2Letter', 'city', 'zip']) {
      if (receivers.some((receiver) => typeof receiver[field] !== 'string' || !receiver[field]))
        return fail(400, 'missingParameter', `meta.receiver.${field} is required`, `meta.receiver.${field}`)
    }
    const positions = Array.isArray(body.positions) ? (body.positions as Json[]) : []
    if (
      !positions.length ||
      positions.some((position) => typeof position.externalId !== 'string' || !position.externalId)
    )
      return fail(400, 'missingParameter', 'positions.externalId is required', 'positions.externalId')
    if (
      positions.some(
        (position) => position.quantity !== undefined && (!Number.isInteger(position.quantity) || position.quantity < 1)
      )
    )
      return fail(400, 'INVALID', 'quantity must be a positive integer', 'quantity')
    if (account.goodsOrders.has(meta.externalId))
      return fail(400, 'INVALID', `a goods order with external id ${meta.externalId} already exists`, 'externalId')
    const order: GoodsOrder = {
      id: account.nextId++,
      externalId: meta.externalId,
      orderNumber: typeof meta.orderNumber === 'string' && meta.orderNumber ? meta.orderNumber : meta.externalId,
      statusName: account.initialStatus,
      reasonPartiallyReserved: '',
      blockReason: '',
      body,
      createdAt: new Date().toISOString(),
    }
    account.goodsOrders.set(order.externalId, order)
    return c.json({
      Success: true,
      id: order.id,
      statusId: WEMALO_STATUS_IDS[order.statusName],
      statusName: order.statusName,
      deliveryDate: '',
    })
  })

  app.get('/v1/goodsOrder/getStatus/:id', (c) => {
    const order = accountOf(c.req.url)!.goodsOrders.get(c.req.param('id'))
    if (!order) return fail(404, 'NOT_FOUND', `no goods order with external id ${c.req.param('id')}`, 'externalId')
    return c.json(statusOf(order))
  })

  app.put('/v1/goodsOrder/cancel/:id', (c) => {
    const order = accountOf(c.req.url)!.goodsOrders.get(c.req.param('id'))
    if (!order) return fail(404, 'NOT_FOUND', `no goods order with external id ${c.req.param('id')}`, 'externalId')
    if (order.statusName === 'CANCELLED') return fail(400, 'INVALID', 'the goods order has already been cancelled')
    if (!CANCELLABLE.includes(order.statusName))
      return fail(
        400,
        'INVALID',
        `the goods order cannot be cancelled anymore: picking has started (${order.statusName})`
      )
    order.statusName = 'CANCELLED'
    order.reasonPartiallyReserved = ''
    return c.json({ Success: true, status: 200 })
  })

  app.put('/v1/goodsOrder/updateMeta/:id', (c) => {
    const order = accountOf(c.req.url)!.goodsOrders.get(c.req.param('id'))
    if (!order) return fail(404, 'NOT_FOUND', `no goods order with external id ${c.req.param('id')}`, 'externalId')
    const meta = jsonBody(c).meta as Json | undefined
    if (!meta || !Array.isArray(meta.receiver) || !meta.receiver.length)
      return fail(400, 'missingParameter', 'meta.receiver is required', 'meta.receiver')
    if (!CANCELLABLE.includes(order.statusName))
      return fail(400, 'INVALID', `the goods order cannot be changed anymore (${order.statusName})`)
    order.body = { ...order.body, meta: { ...order.body.meta, ...meta } }
    if (typeof meta.orderNumber === 'string' && meta.orderNumber) order.orderNumber = meta.orderNumber
    // A corrected receiver lets Wemalo reserve the order.
    if (order.statusName === 'PARTIAL') {
      order.statusName = 'OPEN'
      order.reasonPartiallyReserved = ''
    }
    return c.json({
      Success: true,
      id: order.id,
      statusId: WEMALO_STATUS_IDS[order.statusName],
      statusName: order.statusName,
    })
  })

  app.get('/v1/goodsOrder/packages', (c) => {
    const account = accountOf(c.req.url)!
    const orderId = c.req.query('orderId')
    const externalOrderId = c.req.query('externalOrderId')
    if (!orderId && !externalOrderId)
      return fail(400, 'missingParameter', 'orderId or externalOrderId is required', 'orderId')
    const packages = [...account.parcels.values()]
      .filter((parcel) => (orderId ? String(parcel.goodsOrderId) === orderId : parcel.externalId === externalOrderId))
      .map((parcel) => ({
        profileName: parcel.profileName,
        errorMessage: '',
        weightTotal: 1200,
        quantity: 1,
        isHandedOver: true,
        storageCell: '',
        id: parcel.id,
        barcode: `P${parcel.id}`,
        trackingNumber: parcel.trackingNumber,
        items: [],
        units: [],
      }))
    return c.json({ packages, Success: true })
  })

  app.get('/v1/goodsOrder/package/:parcelId/trackingNumber', (c) => {
    const parcel = accountOf(c.req.url)!.parcels.get(c.req.param('parcelId'))
    if (!parcel) return fail(404, 'NOT_FOUND', `no parcel ${c.req.param('parcelId')}`, 'parcelId')
    return c.json({
      trackingNumber: parcel.trackingNumber,
      profileName: parcel.profileName,
      carrier: parcel.carrier,
      Success: true,
    })
  })

  app.get('/v1/goodsOrder/packages/sent/', (c) => {
    const account = accountOf(c.req.url)!
    const page = Number(c.req.query('page') ?? 0)
    const externalId = c.req.query('externalId')
    const open = account.bookings.filter(
      (booking) => !booking.synchedAt && (!externalId || booking.externalGoodsOrderId === externalId)
    )
    const slice = open.slice(page * account.pageSize, (page + 1) * account.pageSize)
    return c.json({
      page,
      additionalPage: open.length > (page + 1) * account.pageSize,
      bookings: slice.map(({ synchedAt: _synchedAt, ...booking }) => booking),
      Success: true,
    })
  })

  app.put('/v1/goodsOrder/packages/sent/:bookingId', (c) => {
    const booking = accountOf(c.req.url)!.bookings.find((candidate) => candidate.historyId === c.req.param('bookingId'))
    if (!booking) return fail(404, 'NOT_FOUND', `no booking ${c.req.param('bookingId')}`, 'bookingId')
    booking.synchedAt = new Date().toISOString()
    return c.json({ Success: true })
  })

  app.post('/v1/webhook/:event', (c) => {
    const account = accountOf(c.req.url)!
    const event = c.req.param('event')
    if (!EVENTS.includes(event)) return fail(400, 'INVALID', `unknown event ${event}`, 'event')
    const body = jsonBody(c)
    if (typeof body.payload !== 'string' || !/^https?:\/\//.test(body.payload))
      return fail(400, 'missingParameter', 'payload must be a URL', 'payload')
    if (typeof body.token !== 'string' || !body.token)
      return fail(400, 'missingParameter', 'token is required', 'token')
    const mode = account.hooks.has(event) ? 'update' : 'create'
    const email = String(body.email ?? body.mail ?? '')
    account.hooks.set(event, { event, payload: body.payload, token: body.token, email, failures: 0 })
    return c.json({ mode, event, payload: body.payload, token: body.token, mail: email, Success: true })
  })

  app.get('/v1/webhook', (c) =>
    c.json({
      hooks: [...accountOf(c.req.url)!.hooks.values()].map(({ payload, token, event }) => ({ payload, token, event })),
      Success: true,
    })
  )

  app.delete('/v1/webhook/:event', (c) => {
    const account = accountOf(c.req.url)!
    if (!account.hooks.delete(c.req.param('event')))
      return fail(404, 'NOT_FOUND', `no webhook ${c.req.param('event')}`, 'event')
    return c.json({ Success: true })
  })

  mountWemaloProductRoutes(app, { accountOf, jsonBody, fail })
  mountWemaloReturns(app, {
    accountOf: (url) => accountOf(url),
    goodsOrderOf: (account, externalId) => (account as Account).goodsOrders.get(externalId),
    nextId: (account) => (account as Account).nextId++,
    pageSize: (account) => (account as Account).pageSize,
    sendCallback: (account, input) => sendCallback(account as Account, input),
  })

  app.all('/v1/*', (c) => fail(404, 'NOT_FOUND', `no route ${c.req.method} ${new URL(c.req.url).pathname}`))

  return app
}

const app = createWemaloSimulatorApp()

export const wemaloSimulator: Simulator = {
  name: 'wemalo',
  handles: (hostname) => hostname === 'wemalo.test' || hostname.endsWith('.wemalo.test'),
  fetch: (request) => app.fetch(request),
}
