/**
 * A Cartum (Horoshop API) shop per host `*.cartum.example`: JSON POST calls under `/api/{fn}/`
 * with the token in the body, tokens from `auth` that expire after 600 s, the `{status,
 * response}` envelope on HTTP 200 (UNAUTHORIZED, EMPTY, WARNING …), `orders/get` by creation
 * date with limit/offset, `orders/update` with its per-order log, `hooks/subscribe` (HTTP 201
 * `{id}` outside the envelope, at most 5 hooks per event) and `hooks/unSubscribe {id, target_url}`
 * (HTTP 410 once removed). The API cannot list hooks; the simulator's `/_sim/hooks` can.
 */
import { Hono } from 'hono'
import type { Simulator } from './simulator'

type Json = Record<string, any>
type Shop = {
  login: string
  password: string
  tokens: Map<string, number>
  orders: Map<string, Json>
  statuses: number[]
  requests: { fn: string; body: Json }[]
  logins: number
  hooks: Json[]
  nextHookId: number
}

const shops = new Map<string, Shop>()
const TOKEN_MS = 600_000
/** The official event list, and those third-party clients use as well. */
const HOOK_EVENTS = [
  'order_created',
  'order_paid',
  'order_update',
  'user_signup',
  'user_update',
  'request_call_me',
  'comments_created',
]

export function cartumOrderPayload(overrides: Json = {}): Json {
  return {
    order_id: 115,
    user: 99,
    delivery_name: 'Olena Kovalenko',
    delivery_email: 'olena@example.com',
    delivery_phone: '+38 (012) 421-42-14',
    delivery_city: 'Kyiv',
    delivery_address: 'Branch №13: Dorohozhytska St, 4',
    delivery_type: { id: 3, title: 'Nova Poshta Branch' },
    delivery_price: 70,
    comment: '',
    payment_type: { id: 13, title: 'In cash' },
    payed: 0,
    total_default: 31799,
    total_sum: 31799,
    total_quantity: 1,
    stat_status: 1,
    stat_created: new Date().toISOString().slice(0, 19).replace('T', ' '),
    currency: 'UAH',
    products: [
      {
        title: 'MacBook Air 11.6" 128 GB, Green',
        article: 'MJVM2UAA',
        price: 31799,
        quantity: 1,
        discount_marker: 'NONE',
        total_price: 31799,
      },
    ],
    ...overrides,
  }
}

const envelope = (status: string, response: unknown = {}) => Response.json({ status, response })

function parseCartumTime(value: string | undefined, endOfDay: boolean): number | null {
  if (!value) return null
  const iso = /^\d{2}\.\d{2}\.\d{4}/.test(value) ? value.replace(/^(\d{2})\.(\d{2})\.(\d{4})/, '$3-$2-$1') : value
  const withTime = iso.length === 10 ? `${iso} ${endOfDay ? '23:59:59' : '00:00:00'}` : iso
  return Date.parse(`${withTime.replace(' ', 'T')}Z`)
}

export function createCartumSimulatorApp() {
  const app = new Hono()
  const shopOf = (url: string) => shops.get(new URL(url).host)

  app.post('/_sim/shop', async (c) => {
    const body = await c.req.json()
    shops.set(new URL(c.req.url).host, {
      login: body.login,
      password: body.password,
      tokens: new Map(),
      orders: new Map(),
      statuses: body.statuses ?? [1, 2, 3, 4, 6],
      requests: [],
      logins: 0,
      hooks: [],
      nextHookId: 1,
    })
    return c.json({ ok: true }, 201)
  })
  app.use('/_sim/*', async (c, next) => (shopOf(c.req.url) ? next() : c.json({ error: 'unknown shop' }, 404)))
  app.post('/_sim/orders', async (c) => {
    const shop = shopOf(c.req.url)!
    for (const order of (await c.req.json()).orders) {
      const full = cartumOrderPayload(order)
      shop.orders.set(String(full.order_id), full)
    }
    return c.json({ ok: true }, 201)
  })
  app.get('/_sim/orders/:id', (c) => {
    const order = shopOf(c.req.url)!.orders.get(c.req.param('id'))
    return order ? c.json(order) : c.json({ error: 'not found' }, 404)
  })
  app.post('/_sim/expire-tokens', (c) => {
    shopOf(c.req.url)!.tokens.clear()
    return c.json({ ok: true })
  })
  app.get('/_sim/requests', (c) => {
    const shop = shopOf(c.req.url)!
    return c.json({ logins: shop.logins, requests: shop.requests })
  })
  app.get('/_sim/hooks', (c) => c.json(shopOf(c.req.url)!.hooks))
  // What Horoshop does with a hook it gives up on (its deliveries failed 10 times).
  app.delete('/_sim/hooks/:id', (c) => {
    const shop = shopOf(c.req.url)!
    const before = shop.hooks.length
    shop.hooks = shop.hooks.filter((hook) => String(hook.id) !== c.req.param('id'))
    return shop.hooks.length < before ? c.json({ ok: true }) : c.json({ error: 'not found' }, 404)
  })

  app.post('/api/:fn{.+}', async (c) => {
    const shop = shopOf(c.req.url)
    const fn = c.req.param('fn').replace(/\/$/, '')
    if (!shop) return c.text('Not Found', 404)
    if (!(c.req.header('content-type') ?? '').includes('application/json'))
      return envelope('ERROR', { message: 'JSON body expected' })
    const body = (await c.req.json()) as Json
    shop.requests.push({ fn, body })

    if (fn === 'auth') {
      if (body.login !== shop.login || body.password !== shop.password)
        return envelope('AUTHORIZATION_ERROR', { message: 'Incorrect login or password' })
      shop.logins++
      const token = crypto.randomUUID().replace(/-/g, '')
      shop.tokens.set(token, Date.now() + TOKEN_MS)
      return envelope('OK', { token })
    }
    const expires = shop.tokens.get(body.token)
    if (!expires || expires < Date.now()) return envelope('UNAUTHORIZED', { message: 'Token is invalid or expired' })

    if (fn === 'orders/get') {
      const from = parseCartumTime(body.from, false)
      const to = parseCartumTime(body.to, true)
      if (body.offset !== undefined && body.limit === undefined)
        return envelope('ERROR', { message: 'offset works only with limit' })
      const statuses = body.status === undefined ? null : [body.status].flat().map(Number)
      const ids = body.ids ? body.ids.map(String) : null
      const orders = [...shop.orders.values()]
        .filter((order) => {
          const created = Date.parse(`${order.stat_created.replace(' ', 'T')}Z`)
          if (from !== null && created < from) return false
          if (to !== null && created > to) return false
          if (statuses && !statuses.includes(order.stat_status)) return false
          if (ids && !ids.includes(String(order.order_id))) return false
          return true
        })
        .sort((a, b) => a.order_id - b.order_id)
      const page = orders.slice(body.offset ?? 0, body.limit ? (body.offset ?? 0) + body.limit : undefined)
      return page.length ? envelope('OK', { orders: page }) : envelope('EMPTY', {})
    }
    if (fn === 'orders/update') {
      const log = (body.orders ?? []).map((update: Json) => {
        const order = shop.orders.get(String(update.order_id))
        if (!order) return { order_id: update.order_id, status: 'ERROR', message: 'order not found' }
        if (!shop.statuses.includes(Number(update.status)))
          return { order_id: update.order_id, status: 'ERROR', message: 'status is not defined or defined incorrectly' }
        order.stat_status = Number(update.status)
        if (update.tracking_code) order.tracking_code = update.tracking_code
        return { order_id: update.order_id, status: 'OK', message: 'UPDATED' }
      })
      return envelope(log.every((entry: Json) => entry.status === 'OK') ? 'OK' : 'WARNING', { log })
    }
    if (fn === 'hooks/subscribe') {
      if (
        !HOOK_EVENTS.includes(body.event) ||
        typeof body.target_url !== 'string' ||
        !/^https?:\/\//.test(body.target_url)
      )
        return c.json({ status: 'ERROR', response: { message: 'event and target_url are required' } }, 400)
      if (shop.hooks.filter((hook) => hook.event === body.event).length >= 5)
        return c.json(
          { status: 'ERROR', response: { message: 'Subscriptions limit for current event has been reached' } },
          400
        )
      const id = shop.nextHookId++
      shop.hooks.push({ id, event: body.event, target_url: body.target_url })
      return c.json({ id }, 201)
    }
    if (fn === 'hooks/unSubscribe') {
      const hook = shop.hooks.find((candidate) => candidate.id === Number(body.id))
      if (!hook || hook.target_url !== body.target_url) return envelope('ERROR', { message: 'Subscription not found' })
      shop.hooks = shop.hooks.filter((candidate) => candidate !== hook)
      return new Response(null, { status: 410 })
    }
    return envelope('UNDEFINED_FUNCTION', { message: `function ${fn} is not defined` })
  })

  return app
}

const app = createCartumSimulatorApp()

export const cartumSimulator: Simulator = {
  name: 'cartum',
  handles: (hostname) => hostname.endsWith('.cartum.example'),
  fetch: (request) => app.fetch(request),
}
