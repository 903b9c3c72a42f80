/**
 * A plentymarkets system per host `*.plentymarkets-cloud01.com`: `/rest/login` (JSON or form)
 * answering both snake_case and camelCase token fields, `/rest/login/refresh`, at most 3
 * concurrent sessions (a fourth login answers 429 too_many_concurrent_sessions), the
 * `X-Plenty-Global-Short-Period-*` headers, `/rest/orders/search` with its paged envelope,
 * order status updates, comments and shipping packages, item variations with barcodes and bundle
 * components (`/rest/items/variations`). Every request is checked against
 * plentymarkets' published OpenAPI description; what it would reject is recorded as a violation.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { createSpecValidator } from './openapi'
import type { Simulator } from './simulator'

type Json = Record<string, any>
type System = {
  username: string
  password: string
  maxSessions: number
  sessions: Map<string, { refreshToken: string; expiresAt: number }>
  orders: Map<string, Json>
  /** Item variations (`/rest/items/variations`), with their barcodes and bundle components. */
  variations: Map<string, Json>
  comments: Json[]
  packages: Json[]
  requests: { method: string; path: string; query: Record<string, string[]>; body: unknown; status: number }[]
  violations: string[]
  logins: number
  /** Calls allowed per one-second short period, and what is left of the current one. */
  limit: number
  callsLeft: number
  periodStart: number
  /**
   * Injected failures: the next `times` calls matching method and path answer `status`. With
   * `applied`, the call takes effect first and only its answer is lost (a timeout after the write).
   */
  faults: { method: string; pathIncludes: string; times: number; status: number; applied?: boolean }[]
}

const systems = new Map<string, System>()
const TOKEN_SECONDS = 86_400
const SHORT_PERIOD_LIMIT = 40

let validator: ReturnType<typeof createSpecValidator> | undefined
function specValidator() {
  validator ??= createSpecValidator(
    JSON.parse(
      readFileSync(
        fileURLToPath(new URL('./specs/plentymarkets-openApiV3WithExamples.min.json', import.meta.url)),
        'utf8'
      )
    )
  )
  return validator
}

/** A variation as `/rest/items/variations?with=variationBarcodes,variationBundleComponents` returns it. */
export function plentyVariationPayload(overrides: Json = {}): Json {
  const id = overrides.id ?? 1012
  return {
    id,
    itemId: 120,
    isMain: true,
    isActive: true,
    number: 'SESSEL-BW',
    name: 'Sessel, blau-weiß',
    weightG: 8200,
    weightNetG: 7900,
    lengthMM: 800,
    widthMM: 750,
    heightMM: 950,
    bundleType: null,
    mainWarehouseId: 104,
    createdAt: '2026-10-01T10:00:00+02:00',
    updatedAt: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
    relatedUpdatedAt: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
    variationBarcodes: [
      { barcodeId: 1, variationId: id, code: '4006381333986', createdAt: '2026-10-01T10:00:00+02:00' },
    ],
    variationBundleComponents: [],
    ...overrides,
  }
}

/** An order as `/rest/orders/search?with[]=addresses&with[]=orderItems.variation` returns it. */
export function plentyOrderPayload(overrides: Json = {}): Json {
  const id = overrides.id ?? 630
  const now = new Date().toISOString().replace(/\.\d+Z$/, '+00:00')
  return {
    id,
    typeId: 1,
    plentyId: 1000,
    locationId: '1',
    statusId: 5,
    statusName: '[5] Freigabe Versand',
    ownerId: '3',
    lockStatus: 'unlocked',
    createdAt: now,
    updatedAt: now,
    amounts: [
      {
        isSystemCurrency: true,
        isNet: false,
        currency: 'EUR',
        exchangeRate: 1,
        netTotal: 129.4,
        grossTotal: 153.99,
        invoiceTotal: 153.99,
      },
    ],
    properties: [{ orderId: id, typeId: 2, value: '6' }],
    addressRelations: [
      { orderId: id, typeId: 1, addressId: 33 },
      { orderId: id, typeId: 2, addressId: 34 },
    ],
    addresses: [
      {
        id: 33,
        name1: '',
        name2: 'Max',
        name3: 'Mustermann',
        address1: 'Musterstr.',
        address2: '12',
        postalCode: '34117',
        town: 'Kassel',
        countryId: 1,
        email: 'max@example.com',
        phone: '+49 561 123456',
        options: [],
      },
      {
        id: 34,
        name1: '',
        name2: 'Max',
        name3: 'Mustermann',
        address1: 'PACKSTATION',
        address2: '123',
        address3: '12345678',
        postalCode: '34117',
        town: 'Kassel',
        countryId: 1,
        isPackstation: true,
        options: [],
      },
    ],
    orderItems: [
      {
        id: 744,
        orderId: id,
        typeId: 1,
        itemVariationId: 1012,
        quantity: 1,
        orderItemName: 'Design Sessel Black&White',
        amounts: [{ isSystemCurrency: true, currency: 'EUR', priceGross: 149 }],
        variation: { id: 1012, itemId: 120, number: 'SESSEL-BW' },
      },
      {
        id: 745,
        orderId: id,
        typeId: 6,
        itemVariationId: 0,
        quantity: 1,
        orderItemName: 'Shipping costs',
        amounts: [{ isSystemCurrency: true, currency: 'EUR', priceGross: 4.99 }],
      },
    ],
    ...overrides,
  }
}

function rateHeaders(system: System): Record<string, string> {
  return {
    'X-Plenty-Global-Short-Period-Limit': String(system.limit),
    'X-Plenty-Global-Short-Period-Calls-Left': String(Math.max(0, system.callsLeft)),
    'X-Plenty-Global-Short-Period-Decay': '1',
  }
}

export function createPlentymarketsSimulatorApp() {
  const app = new Hono()
  const systemOf = (url: string) => systems.get(new URL(url).host)

  app.post('/_sim/system', async (c) => {
    const body = await c.req.json()
    systems.set(new URL(c.req.url).host, {
      username: body.username,
      password: body.password,
      maxSessions: body.maxSessions ?? 3,
      sessions: new Map(),
      orders: new Map(),
      variations: new Map(),
      comments: [],
      packages: [],
      requests: [],
      violations: [],
      logins: 0,
      limit: body.callsPerPeriod ?? SHORT_PERIOD_LIMIT,
      callsLeft: body.callsPerPeriod ?? SHORT_PERIOD_LIMIT,
      periodStart: Date.now(),
      faults: [],
    })
    return c.json({ ok: true }, 201)
  })
  app.use('/_sim/*', async (c, next) => (systemOf(c.req.url) ? next() : c.json({ error: 'unknown system' }, 404)))
  /** Adds or replaces variations; `updatedAt` is stamped now unless given. */
  app.post('/_sim/variations', async (c) => {
    const system = systemOf(c.req.url)!
    for (const variation of (await c.req.json()).variations) {
      const full = plentyVariationPayload(variation)
      system.variations.set(String(full.id), full)
    }
    return c.json({ ok: true }, 201)
  })
  app.post('/_sim/orders', async (c) => {
    const system = systemOf(c.req.url)!
    for (const order of (await c.req.json()).orders) {
      const full = plentyOrderPayload(order)
      system.orders.set(String(full.id), full)
    }
    return c.json({ ok: true }, 201)
  })
  app.get('/_sim/orders/:id', (c) => {
    const system = systemOf(c.req.url)!
    const id = c.req.param('id')
    const order = system.orders.get(id)
    if (!order) return c.json({ error: 'not found' }, 404)
    return c.json({
      ...order,
      comments: system.comments.filter((comment) => String(comment.referenceValue) === id),
      packages: system.packages.filter((entry) => String(entry.orderId) === id),
    })
  })
  app.post('/_sim/faults', async (c) => {
    systemOf(c.req.url)!.faults.push(await c.req.json())
    return c.json({ ok: true })
  })
  app.post('/_sim/revoke-tokens', (c) => {
    systemOf(c.req.url)!.sessions.clear()
    return c.json({ ok: true })
  })
  app.get('/_sim/requests', (c) => {
    const system = systemOf(c.req.url)!
    return c.json({ logins: system.logins, violations: system.violations, requests: system.requests })
  })

  app.use('/rest/*', async (c, next) => {
    const url = new URL(c.req.url)
    const system = systemOf(c.req.url)
    if (!system) return c.text('Not Found', 404)
    const type = c.req.header('content-type') ?? ''
    const raw = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text()
    const body =
      raw && type.includes('application/json')
        ? JSON.parse(raw)
        : raw
          ? Object.fromEntries(new URLSearchParams(raw))
          : null
    const query: Record<string, string[]> = {}
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value)
    const entry = { method: c.req.method, path: url.pathname, query, body, status: 0 }
    system.requests.push(entry)
    system.violations.push(
      ...specValidator()(c.req.method, url.pathname, url.searchParams, type.includes('application/json') ? body : null)
    )

    if (!url.pathname.startsWith('/rest/login')) {
      const token = (c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, '')
      const session = system.sessions.get(token)
      if (!session || session.expiresAt < Date.now()) {
        entry.status = 401
        return c.json({ error: { code: 401, message: 'Unauthenticated.' } }, 401)
      }
      if (Date.now() - system.periodStart >= 1000) {
        system.periodStart = Date.now()
        system.callsLeft = system.limit
      }
      system.callsLeft--
      if (system.callsLeft < 0) {
        entry.status = 429
        return c.json({ error: 'short period read limit reached' }, 429, { ...rateHeaders(system), 'Retry-After': '1' })
      }
    }
    const fault = system.faults.find(
      (candidate) =>
        candidate.times > 0 && candidate.method === c.req.method && url.pathname.includes(candidate.pathIncludes)
    )
    if (fault) {
      fault.times--
      const failure = () =>
        c.json({ error: { code: fault.status, message: 'Internal Server Error' } }, fault.status as 500)
      entry.status = fault.status
      if (!fault.applied) return failure()
      // The write happens; only its answer is lost.
      await next()
      c.res = failure()
      return
    }
    await next()
    entry.status = c.res.status
    for (const [name, value] of Object.entries(rateHeaders(system))) c.res.headers.set(name, value)
  })

  const tokenResponse = (system: System, accessToken: string, refreshToken: string) => ({
    token_type: 'Bearer',
    expires_in: TOKEN_SECONDS,
    access_token: accessToken,
    refresh_token: refreshToken,
    concurrent_sessions: system.sessions.size,
    max_current_sessions: system.maxSessions,
    tokenType: 'Bearer',
    expiresIn: TOKEN_SECONDS,
    accessToken,
    refreshToken,
  })

  app.post('/rest/login', async (c) => {
    const system = systemOf(c.req.url)!
    const credentials = (system.requests[system.requests.length - 1].body ?? {}) as Json
    if (credentials.username !== system.username || credentials.password !== system.password) {
      return c.json({ error: 'invalid_credentials', message: 'The user credentials were incorrect.' }, 401)
    }
    for (const [token, session] of system.sessions) if (session.expiresAt < Date.now()) system.sessions.delete(token)
    if (system.sessions.size >= system.maxSessions) {
      return c.json(
        {
          error: 'too_many_concurrent_sessions',
          max_current_sessions: system.maxSessions,
          message: `Too many users. Only ${system.maxSessions} users can be logged in simultaneously in the back end. Try again soon or upgrade your contract (https://www.plentymarkets.eu/preise/)`,
        },
        429
      )
    }
    system.logins++
    const accessToken = crypto.randomUUID()
    const refreshToken = crypto.randomUUID()
    system.sessions.set(accessToken, { refreshToken, expiresAt: Date.now() + TOKEN_SECONDS * 1000 })
    return c.json(tokenResponse(system, accessToken, refreshToken))
  })

  app.post('/rest/login/refresh', async (c) => {
    const system = systemOf(c.req.url)!
    const body = (system.requests[system.requests.length - 1].body ?? {}) as Json
    const current = [...system.sessions.entries()].find(([, session]) => session.refreshToken === body.refresh_token)
    if (!current) return c.json({ error: { code: 401, message: 'Unauthenticated.' } }, 401)
    system.sessions.delete(current[0])
    const accessToken = crypto.randomUUID()
    const refreshToken = crypto.randomUUID()
    system.sessions.set(accessToken, { refreshToken, expiresAt: Date.now() + TOKEN_SECONDS * 1000 })
    return c.json(tokenResponse(system, accessToken, refreshToken))
  })

  app.get('/rest/items/variations', (c) => {
    const system = systemOf(c.req.url)!
    const url = new URL(c.req.url)
    const perPage = Number(url.searchParams.get('itemsPerPage') ?? 50)
    const page = Number(url.searchParams.get('page') ?? 1)
    const withRelations = (url.searchParams.get('with') ?? '').split(',')
    // `updatedBetween=<from>[,<to>]`, unix seconds or ISO 8601.
    const [from] = (url.searchParams.get('updatedBetween') ?? '').split(',')
    const since = from ? (/^\d+$/.test(from) ? Number(from) * 1000 : Date.parse(from)) : null
    const matching = [...system.variations.values()]
      .filter((variation) => since === null || Date.parse(variation.updatedAt) >= since)
      .sort((a, b) => a.id - b.id)
    const lastPageNumber = Math.max(1, Math.ceil(matching.length / perPage))
    const entries = matching
      .slice((page - 1) * perPage, page * perPage)
      .map(({ variationBarcodes, variationBundleComponents, ...variation }) => ({
        ...variation,
        ...(withRelations.includes('variationBarcodes') ? { variationBarcodes } : {}),
        ...(withRelations.includes('variationBundleComponents') ? { variationBundleComponents } : {}),
      }))
    return c.json({
      page,
      totalsCount: matching.length,
      isLastPage: page >= lastPageNumber,
      lastPageNumber,
      itemsPerPage: perPage,
      entries,
    })
  })

  app.get('/rest/orders/search', (c) => {
    const system = systemOf(c.req.url)!
    const url = new URL(c.req.url)
    const statusId = url.searchParams.get('statusId')
    const orderIdFilter = /^gt:(\d+)$/.exec(url.searchParams.get('orderId') ?? '')
    const plentyId = url.searchParams.get('plentyId')
    const perPage = Number(url.searchParams.get('itemsPerPage') ?? 50)
    const page = Number(url.searchParams.get('page') ?? 1)
    const withRelations = [...url.searchParams.entries()]
      .filter(([key]) => key.startsWith('with'))
      .flatMap(([, value]) => value.split(','))
    const matching = [...system.orders.values()]
      .filter(
        (order) =>
          (statusId === null || order.statusId === Number(statusId)) &&
          (plentyId === null || order.plentyId === Number(plentyId))
      )
      .filter((order) => !orderIdFilter || order.id > Number(orderIdFilter[1]))
      .sort((a, b) => a.id - b.id)
    const lastPageNumber = Math.max(1, Math.ceil(matching.length / perPage))
    const entries = matching.slice((page - 1) * perPage, page * perPage).map((order) => {
      const { addresses, ...rest } = order
      const items = order.orderItems.map(({ variation, ...item }: Json) =>
        withRelations.includes('orderItems.variation') ? { ...item, variation } : item
      )
      return { ...rest, orderItems: items, ...(withRelations.includes('addresses') ? { addresses } : {}) }
    })
    return c.json({
      page,
      totalsCount: matching.length,
      isLastPage: page >= lastPageNumber,
      lastPageNumber,
      firstOnPage: (page - 1) * perPage + 1,
      lastOnPage: (page - 1) * perPage + entries.length,
      itemsPerPage: perPage,
      entries,
    })
  })

  app.put('/rest/orders/:orderId', async (c) => {
    const system = systemOf(c.req.url)!
    const order = system.orders.get(c.req.param('orderId'))
    if (!order) return c.json({ error: { code: 404, message: 'Order not found' } }, 404)
    const body = (await c.req.json()) as Json
    if (body.statusId !== undefined) {
      if (typeof body.statusId !== 'number')
        return c.json({ error: { code: 422, message: 'The status id must be a number.' } }, 422)
      order.statusId = body.statusId
    }
    order.updatedAt = new Date().toISOString().replace(/\.\d+Z$/, '+00:00')
    return c.json(order)
  })

  app.post('/rest/comments', async (c) => {
    const system = systemOf(c.req.url)!
    const body = (await c.req.json()) as Json
    if (body.referenceType !== 'order' || !system.orders.has(String(body.referenceValue)) || !body.text) {
      return c.json({ error: { code: 422, message: 'The given data was invalid.' } }, 422)
    }
    const comment = { id: system.comments.length + 1, ...body, createdAt: new Date().toISOString() }
    system.comments.push(comment)
    return c.json(comment)
  })

  app.get('/rest/comments/:referenceType/:referenceValue', (c) => {
    const system = systemOf(c.req.url)!
    const { referenceType, referenceValue } = c.req.param()
    return c.json(
      system.comments.filter(
        (comment) => comment.referenceType === referenceType && String(comment.referenceValue) === referenceValue
      )
    )
  })

  app.get('/rest/orders/:orderId/shipping/packages', (c) => {
    const system = systemOf(c.req.url)!
    return c.json(system.packages.filter((entry) => String(entry.orderId) === c.req.param('orderId')))
  })

  app.post('/rest/orders/:orderId/shipping/packages', async (c) => {
    const system = systemOf(c.req.url)!
    const orderId = c.req.param('orderId')
    if (!system.orders.has(orderId)) return c.json({ error: { code: 404, message: 'Order not found' } }, 404)
    const body = (await c.req.json()) as Json
    const entry = {
      id: system.packages.length + 1,
      orderId: Number(orderId),
      ...body,
      isClosed: false,
      createdAt: new Date().toISOString(),
    }
    system.packages.push(entry)
    return c.json(entry)
  })

  return app
}

const app = createPlentymarketsSimulatorApp()

export const plentymarketsSimulator: Simulator = {
  name: 'plentymarkets',
  handles: (hostname) => hostname.endsWith('.plentymarkets-cloud01.com'),
  fetch: (request) => app.fetch(request),
}
