/**
 * plenigo's API v3 (`/api/v3.0`) for many merchants at once, keyed by API token (the
 * `X-plenigo-token` header), on the test host `api.plenigo.test`: customers (search by email,
 * create — 208 or error 20007 for an existing email, 423 / 20026 while a registration is locked),
 * order imports (queued: the answer is `{success, promiseId}` and the import log entry appears
 * after `importDelayMs`, or only on `/_sim/process-imports` when that is null), the import log
 * (kept 7 days; `/_sim/expire-logs` drops it), orders by externalSystemId, plenigo's error bodies
 * (`{errorCode, errorMessage, validationErrors?}`), a rate limit answering 429 / 99429 with
 * Retry-After, and injected faults. Every request is checked against plenigo's OpenAPI
 * description (types, enums, formats, required fields); a request it would refuse is answered
 * 400 / 99400 with validation errors and recorded as a violation. Control routes take the
 * merchant's token as `?account=`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { createPlenigoSpecChecker, type FieldError } from './plenigo-spec'
import type { Simulator } from './simulator'

type Json = Record<string, any>

export const PLENIGO_SIM_HOST = 'api.plenigo.test'
export const PLENIGO_SIM_BASE_URL = `https://${PLENIGO_SIM_HOST}/api/v3.0`
const BASE_PATH = '/api/v3.0'

type Customer = Json & { customerId: string; email: string }
type ImportRequest = {
  promiseId: string
  items: Json[]
  receivedAt: number
  /** When its log entries appear; null until `/_sim/process-imports`. */
  processAt: number | null
  processed: boolean
}
type LogEntry = Json & { orderImportLogEntryId: number; externalSystemId: string; success: boolean }
type Fault = {
  method?: string
  /** Matches when the request path (after /api/v3.0) starts with it. */
  path?: string
  status: number
  errorCode?: number
  errorMessage?: string
  retryAfter?: string
  /** Answer only after this many milliseconds (a timeout for a client waiting less). */
  delayMs?: number
  times: number
}

type Account = {
  customers: Map<string, Customer>
  /** Customers the search misses (created a moment ago elsewhere): searches left to miss. */
  hiddenFromSearch: Map<string, number>
  existingEmailAnswer: '208' | '20007'
  locks: Map<string, number>
  offers: Set<string> | null
  importDelayMs: number | null
  duplicateAnswer: 'log' | 'reject'
  promiseIds: boolean
  queueFullTimes: number
  imports: ImportRequest[]
  logs: (LogEntry & { visibleAt: number })[]
  orders: Json[]
  presetFailures: Map<string, { errorReason: string; errorDetail?: unknown }>
  faults: Fault[]
  rateLimitPerSecond: number
  calls: number[]
  requests: { method: string; path: string; query: Record<string, string[]>; body: unknown; status: number }[]
  violations: string[]
}

const accounts = new Map<string, Account>()
let nextCustomerId = 100_001
let nextLogId = 1_230_001
let nextOrderId = 4_700_001

let checker: ReturnType<typeof createPlenigoSpecChecker> | undefined
function specChecker() {
  checker ??= createPlenigoSpecChecker(
    JSON.parse(
      readFileSync(fileURLToPath(new URL('./specs/plenigo-openapi-v250520-MINOR.json', import.meta.url)), 'utf8')
    ),
    BASE_PATH
  )
  return checker
}

/** plenigo's error messages (ERRORCODES.md). */
const MESSAGES: Record<number, string> = {
  20007: 'Customer with this email already exists.',
  20026: 'Registration process for given email address is locked for 10 seconds.',
  97001: 'Order was already imported.',
  99002: 'Request body format is not valid json.',
  97004: 'Max order import queue is reached.',
  99003: 'Date and time must be formatted as RFC3339.',
  99008: 'Api token provided is not authorized.',
  99400: 'Provided data cannot be processed.',
  99404: 'Entity for given id does not exist.',
  99429: 'The rate limit for this endpoint is reached. Please try again later.',
  99500: 'Currently we are not able to answer your request. We are working hard to resolve this problem.',
  99502: 'Bad Gateway.',
  99504: 'Service is taking too long to respond. Please try again later.',
}
const CODE_BY_STATUS: Record<number, number> = {
  400: 99400,
  401: 99008,
  404: 99404,
  423: 20026,
  429: 99429,
  500: 99500,
  502: 99502,
  504: 99504,
}

function errorResponse(status: number, errorCode: number, extra: Json = {}, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ errorCode, errorMessage: MESSAGES[errorCode] ?? 'Error.', ...extra }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const rfc3339 = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** A KSUID-like id as plenigo's promise example (`0ujsszgFvbiEr7CDgE3z8MAUPFt`). */
function promiseId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  return Array.from(crypto.getRandomValues(new Uint8Array(27)), (byte) => alphabet[byte % 62]).join('')
}

function newAccount(options: Json): Account {
  return {
    customers: new Map(),
    hiddenFromSearch: new Map(),
    existingEmailAnswer: options.existingEmailAnswer ?? '208',
    locks: new Map(),
    offers: options.offers ? new Set(options.offers) : null,
    importDelayMs: options.importDelayMs === undefined ? 0 : options.importDelayMs,
    duplicateAnswer: options.duplicateAnswer ?? 'log',
    promiseIds: options.promiseIds ?? true,
    queueFullTimes: 0,
    imports: [],
    logs: [],
    orders: [],
    presetFailures: new Map(),
    faults: [],
    rateLimitPerSecond: options.rateLimitPerSecond ?? 50,
    calls: [],
    requests: [],
    violations: [],
  }
}

function addCustomer(account: Account, fields: Json): Customer {
  const now = rfc3339(Date.now())
  const customer: Customer = {
    customerId: String(fields.customerId ?? nextCustomerId++),
    email: fields.email,
    language: fields.language ?? 'de',
    ...(fields.firstName ? { firstName: fields.firstName } : {}),
    ...(fields.lastName ? { lastName: fields.lastName } : {}),
    status: 'ACTIVATED',
    registrationDate: now,
    createdDate: now,
    changedDate: now,
    createdBy: 'api',
    createdByType: 'API',
    customerMarks: [],
    processingBlocked: false,
  }
  account.customers.set(customer.customerId, customer)
  return customer
}

function findByEmail(account: Account, email: string): Customer | undefined {
  return [...account.customers.values()].find((customer) => customer.email.toLowerCase() === email.toLowerCase())
}

/** Was this externalSystemId imported (or queued for import) before? */
function knownExternalId(account: Account, externalSystemId: string, before?: ImportRequest): boolean {
  const earlier = before ? account.imports.slice(0, account.imports.indexOf(before)) : account.imports
  return earlier.some((request) => request.items.some((item) => item.externalSystemId === externalSystemId))
}

/** Turns queued imports whose time has come into log entries and orders. */
function processImports(account: Account, now = Date.now(), force = false) {
  for (const request of account.imports) {
    if (request.processed) continue
    if (!force && (request.processAt === null || request.processAt > now)) continue
    request.processed = true
    let orderId: number | null = null
    for (const item of request.items) {
      const base = {
        orderImportLogEntryId: nextLogId++,
        createdDate: rfc3339(now),
        changedDate: rfc3339(now),
        externalSystemId: item.externalSystemId,
        plenigoOfferId: item.plenigoOfferId,
        visibleAt: now,
      }
      const preset = account.presetFailures.get(item.externalSystemId)
      const failure = preset
        ? preset
        : knownExternalId(account, item.externalSystemId, request)
          ? { errorReason: MESSAGES[97001], errorDetail: { errorCode: 97001, message: MESSAGES[97001] } }
          : account.offers && !account.offers.has(item.plenigoOfferId)
            ? {
                errorReason: 'Order could not be imported.',
                errorDetail: { message: `Offer ${item.plenigoOfferId} does not exist.` },
              }
            : !account.customers.has(String(item.invoiceCustomerId))
              ? {
                  errorReason: 'Order could not be imported.',
                  errorDetail: { message: 'Invoice customer does not exist.' },
                }
              : null
      if (failure) {
        account.logs.push({ ...base, success: false, orderId: 0, ...failure })
        continue
      }
      if (orderId === null) {
        orderId = nextOrderId++
        account.orders.push({
          orderId,
          externalSystemId: item.externalSystemId,
          externalSystemIds: request.items.map((entry) => entry.externalSystemId),
          invoiceCustomerId: item.invoiceCustomerId,
          status: 'ACTIVE',
          type: 'ORDER',
          orderDate: item.startDate,
          paymentMethod: item.paymentMethod,
          items: [],
          createdDate: rfc3339(now),
          changedDate: rfc3339(now),
        })
      }
      account.orders
        .find((order) => order.orderId === orderId)!
        .items.push({
          plenigoOfferId: item.plenigoOfferId,
          quantity: item.quantity,
          externalSystemId: item.externalSystemId,
        })
      account.logs.push({ ...base, success: true, orderId })
    }
  }
}

const publicEntry = ({ visibleAt: _visibleAt, ...entry }: LogEntry & { visibleAt: number }) => entry
const publicOrder = ({ externalSystemIds: _ids, items: _items, ...order }: Json) => order

/** plenigo's cursor paging: `size` 5–100 (else 5), `startingAfter` an object id. */
function page<T>(items: T[], url: URL, idOf: (item: T) => string) {
  const requested = Number(url.searchParams.get('size'))
  const size = Number.isInteger(requested) && requested >= 5 && requested <= 100 ? requested : 5
  const after = url.searchParams.get('startingAfter')
  const start = after ? items.findIndex((item) => idOf(item) === after) + 1 : 0
  return items.slice(start, start + size)
}

export function createPlenigoSimulatorApp() {
  const app = new Hono()
  const accountOf = (c: { req: { query(name: string): string | undefined } }) =>
    accounts.get(c.req.query('account') ?? '')

  // --- control routes -------------------------------------------------------------------------
  app.post('/_sim/account', async (c) => {
    const body = await c.req.json()
    accounts.set(body.token, newAccount(body))
    return c.json({ ok: true }, 201)
  })
  app.use('/_sim/*', async (c, next) => (accountOf(c) ? next() : c.json({ error: 'unknown account' }, 404)))
  app.post('/_sim/settings', async (c) => {
    const account = accountOf(c)!
    const body = await c.req.json()
    if ('importDelayMs' in body) account.importDelayMs = body.importDelayMs
    if ('existingEmailAnswer' in body) account.existingEmailAnswer = body.existingEmailAnswer
    if ('duplicateAnswer' in body) account.duplicateAnswer = body.duplicateAnswer
    if ('promiseIds' in body) account.promiseIds = body.promiseIds
    if ('rateLimitPerSecond' in body) account.rateLimitPerSecond = body.rateLimitPerSecond
    if ('offers' in body) account.offers = body.offers ? new Set(body.offers) : null
    return c.json({ ok: true })
  })
  app.post('/_sim/customers', async (c) => {
    const account = accountOf(c)!
    const created = (await c.req.json()).customers.map((fields: Json) => {
      const customer = addCustomer(account, fields)
      if (fields.hiddenFromSearch)
        account.hiddenFromSearch.set(
          customer.customerId,
          fields.hiddenFromSearch === true ? Number.POSITIVE_INFINITY : Number(fields.hiddenFromSearch)
        )
      return customer
    })
    return c.json({ customers: created }, 201)
  })
  app.get('/_sim/customers', (c) => c.json({ customers: [...accountOf(c)!.customers.values()] }))
  app.post('/_sim/lock', async (c) => {
    const { email, times } = await c.req.json()
    accountOf(c)!.locks.set(email.toLowerCase(), times ?? 1)
    return c.json({ ok: true })
  })
  app.post('/_sim/queue-full', async (c) => {
    accountOf(c)!.queueFullTimes = (await c.req.json()).times ?? 1
    return c.json({ ok: true })
  })
  app.post('/_sim/import-failure', async (c) => {
    const { externalSystemId, errorReason, errorDetail } = await c.req.json()
    accountOf(c)!.presetFailures.set(externalSystemId, { errorReason, errorDetail })
    return c.json({ ok: true })
  })
  app.post('/_sim/process-imports', (c) => {
    processImports(accountOf(c)!, Date.now(), true)
    return c.json({ ok: true })
  })
  app.post('/_sim/expire-logs', (c) => {
    accountOf(c)!.logs.length = 0
    return c.json({ ok: true })
  })
  app.post('/_sim/faults', async (c) => {
    accountOf(c)!.faults.push(...(await c.req.json()).faults)
    return c.json({ ok: true })
  })
  app.get('/_sim/state', (c) => {
    const account = accountOf(c)!
    return c.json({ imports: account.imports, logs: account.logs.map(publicEntry), orders: account.orders })
  })
  app.get('/_sim/requests', (c) => {
    const account = accountOf(c)!
    return c.json({ violations: account.violations, requests: account.requests })
  })

  // --- the API --------------------------------------------------------------------------------
  app.use(`${BASE_PATH}/*`, async (c, next) => {
    const url = new URL(c.req.url)
    const account = accounts.get(c.req.header('x-plenigo-token') ?? '')
    if (!account) return errorResponse(401, 99008)
    const raw = ['GET', 'HEAD', 'DELETE'].includes(c.req.method) ? '' : await c.req.raw.clone().text()
    let body: unknown
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      return errorResponse(400, 99002)
    }
    const query: Record<string, string[]> = {}
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value)
    const entry = { method: c.req.method, path: url.pathname, query, body: body ?? null, status: 0 }
    account.requests.push(entry)
    const { violations, fieldErrors } = specChecker()(c.req.method, url.pathname, url.searchParams, body)
    account.violations.push(...violations)
    const apiPath = url.pathname.slice(BASE_PATH.length)

    const fault = account.faults.find(
      (candidate) =>
        candidate.times > 0 &&
        (!candidate.method || candidate.method === c.req.method) &&
        (!candidate.path || apiPath.startsWith(candidate.path))
    )
    if (fault) {
      fault.times--
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      if (fault.status >= 200 && fault.status < 300) {
        // A delay only: the request goes on as usual.
      } else {
        entry.status = fault.status
        const code = fault.errorCode ?? CODE_BY_STATUS[fault.status] ?? 99500
        return errorResponse(
          fault.status,
          code,
          fault.errorMessage ? { errorMessage: fault.errorMessage } : {},
          fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}
        )
      }
    }
    const now = Date.now()
    account.calls = account.calls.filter((at) => now - at < 1000)
    if (account.calls.length >= account.rateLimitPerSecond) {
      entry.status = 429
      return errorResponse(429, 99429, {}, { 'Retry-After': '1' })
    }
    account.calls.push(now)
    if (fieldErrors.length) {
      entry.status = 400
      const badDate = fieldErrors.some((error) => /RFC 3339/.test(error.error))
      return errorResponse(400, badDate ? 99003 : 99400, {
        validationErrors: fieldErrors.map((error: FieldError) => ({
          field: error.field,
          error: error.error,
          value: error.value,
        })),
      })
    }
    processImports(account, now)
    await next()
    entry.status = c.res.status
  })

  const api = (c: { req: { header(name: string): string | undefined } }) =>
    accounts.get(c.req.header('x-plenigo-token') ?? '')!

  app.get(`${BASE_PATH}/customers`, (c) => {
    const account = api(c)
    const url = new URL(c.req.url)
    const email = url.searchParams.get('email')
    const username = url.searchParams.get('username')
    const externalSystemId = url.searchParams.get('externalSystemId')
    const visible = [...account.customers.values()].filter((customer) => {
      const misses = account.hiddenFromSearch.get(customer.customerId) ?? 0
      if (misses > 0) account.hiddenFromSearch.set(customer.customerId, misses - 1)
      return misses <= 0
    })
    // email, username and externalSystemId exclude each other; email wins (the spec's priority).
    const found = email
      ? visible.filter((customer) => customer.email.toLowerCase() === email.toLowerCase())
      : username
        ? visible.filter((customer) => customer.username === username)
        : externalSystemId
          ? visible.filter((customer) => customer.externalSystemId === externalSystemId)
          : visible
    return json({ items: page(found, url, (customer) => customer.customerId) })
  })

  app.post(`${BASE_PATH}/customers`, async (c) => {
    const account = api(c)
    const body = (await c.req.json()) as Json
    const locked = account.locks.get(String(body.email).toLowerCase()) ?? 0
    if (locked > 0) {
      account.locks.set(String(body.email).toLowerCase(), locked - 1)
      return errorResponse(423, 20026)
    }
    const existing = findByEmail(account, body.email)
    if (existing) {
      if (account.existingEmailAnswer === '208' && (!body.customerId || body.customerId === existing.customerId))
        return json(existing, 208)
      return errorResponse(400, 20007)
    }
    return json(addCustomer(account, body), 201)
  })

  app.post(`${BASE_PATH}/imports/orders`, async (c) => {
    const account = api(c)
    const body = (await c.req.json()) as { items?: Json[] }
    const items = body.items ?? []
    if (!items.length)
      return errorResponse(400, 99400, { validationErrors: [{ field: 'items', error: 'required', value: '' }] })
    if (account.queueFullTimes > 0) {
      account.queueFullTimes--
      return errorResponse(400, 97004)
    }
    if (account.duplicateAnswer === 'reject' && items.some((item) => knownExternalId(account, item.externalSystemId)))
      return errorResponse(400, 97001)
    const now = Date.now()
    const request: ImportRequest = {
      promiseId: promiseId(),
      items,
      receivedAt: now,
      processAt: account.importDelayMs === null ? null : now + account.importDelayMs,
      processed: false,
    }
    account.imports.push(request)
    if (account.importDelayMs === 0) processImports(account, now)
    return json(account.promiseIds ? { success: true, promiseId: request.promiseId } : { success: true }, 201)
  })

  app.get(`${BASE_PATH}/imports/orders/logs`, (c) => {
    const account = api(c)
    const url = new URL(c.req.url)
    const externalSystemId = url.searchParams.get('externalSystemId')
    const offer = url.searchParams.get('plenigoOfferId')
    const success = url.searchParams.get('success')
    const now = Date.now()
    const entries = account.logs
      .filter((entry) => entry.visibleAt <= now)
      .filter((entry) => !externalSystemId || entry.externalSystemId === externalSystemId)
      .filter((entry) => !offer || entry.plenigoOfferId === offer)
      .filter((entry) => success === null || String(entry.success) === success)
    return json({ items: page(entries, url, (entry) => String(entry.orderImportLogEntryId)).map(publicEntry) })
  })

  app.get(`${BASE_PATH}/imports/orders/logs/:id`, (c) => {
    const entry = api(c).logs.find((candidate) => String(candidate.orderImportLogEntryId) === c.req.param('id'))
    return entry ? json(publicEntry(entry)) : errorResponse(404, 99404)
  })

  app.get(`${BASE_PATH}/orders`, (c) => {
    const account = api(c)
    const url = new URL(c.req.url)
    const externalSystemId = url.searchParams.get('externalSystemId')
    const found = account.orders.filter(
      (order) => !externalSystemId || order.externalSystemIds.includes(externalSystemId)
    )
    return json({
      items: page(found, url, (order) => String(order.orderId)).map((order) =>
        publicOrder({ ...order, externalSystemId: externalSystemId ?? order.externalSystemId })
      ),
    })
  })

  app.get(`${BASE_PATH}/orders/:orderId`, (c) => {
    const order = api(c).orders.find((candidate) => String(candidate.orderId) === c.req.param('orderId'))
    return order ? json(publicOrder(order)) : errorResponse(404, 99404)
  })

  app.all(`${BASE_PATH}/*`, () => errorResponse(404, 99404))
  return app
}

const app = createPlenigoSimulatorApp()

export const plenigoSimulator: Simulator = {
  name: 'plenigo',
  handles: (hostname) => hostname === PLENIGO_SIM_HOST,
  fetch: (request) => app.fetch(request),
}
