/**
 * The Wemalo simulator's stock (mounted from ../wemalo.ts): per account a SKU → stock map, with
 * attributes ("1. Wahl" default, "2. Wahl") and the reserved part. Goods orders reserve their
 * positions on the default attribute when Wemalo accepts them. Routes as the apidoc describes:
 * - `GET /product/availableStock/?fromDate=ddMMyyyyHH` (required; articles changed since that hour)
 * - `GET /product/stock/:externalId` (rows per attribute), `GET /product/stock/reduced/:externalId`
 *   (`quantity`, `quantityReserved`, `notReservedQuantity`, `details` unless `hideDetails=true`;
 *   400 `externalId` when unknown)
 * - `GET /product/bookings/flag?reason=&page=` (unflagged bookings, 50 per page) and
 *   `PUT /product/bookings/flag {historyIds}` (at most 50)
 * Control: `POST /_sim/stock {articles: [{sku, quantity, reserved?, secondChoice?, changedAt?}], notify?, type?}`
 * sets figures (and with `notify` sends the `stock_change` callback), `GET /_sim/stock` lists them;
 * `changedAt` (ISO) books the change at that time instead of now, as availableStock then lists it.
 */
import type { Hono } from 'hono'

type Json = Record<string, any>
type Attribute = { id: number; external: string; isDefault: boolean; quantity: number; reserved: number }
export type StockArticle = { id: number; sku: string; ean: string; attributes: Attribute[]; changedAt: number }
type StockBooking = {
  historyId: number
  reason: string
  sku: string
  productId: number
  quantity: number
  flagged: boolean
}
type Store = { articles: Map<string, StockArticle>; bookings: StockBooking[]; nextId: number }

const stores = new WeakMap<object, Store>()
export function stockStoreOf(account: object): Store {
  let store = stores.get(account)
  if (!store) stores.set(account, (store = { articles: new Map(), bookings: [], nextId: 45_000 }))
  return store
}

const DEFAULT_ATTRIBUTE = 91
const SECOND_CHOICE = 92
const BOOKINGS_PAGE = 50

const fail = (status: number, error: string, message: string, field?: string) =>
  Response.json({ Success: false, status, error, ...(field ? { field } : {}), message }, { status })

/** `ddMMyyyyHH` → the start of that hour (UTC), or null when malformed. */
export function parseWemaloHour(value: string | undefined): number | null {
  const match = /^(\d{2})(\d{2})(\d{4})(\d{2})$/.exec(value ?? '')
  if (!match) return null
  const [, day, month, year, hour] = match.map(Number)
  return Date.UTC(year, month - 1, day, hour)
}

function setStock(store: Store, sku: string, input: Json) {
  let article = store.articles.get(sku)
  if (!article) {
    article = {
      id: store.nextId++,
      sku,
      ean: String(input.ean ?? ''),
      attributes: [{ id: DEFAULT_ATTRIBUTE, external: '1', isDefault: true, quantity: 0, reserved: 0 }],
      changedAt: Date.now(),
    }
    store.articles.set(sku, article)
  }
  const first = article.attributes[0]
  const delta = Number(input.quantity ?? first.quantity) - first.quantity
  first.quantity = Number(input.quantity ?? first.quantity)
  first.reserved = Number(input.reserved ?? first.reserved)
  if (input.secondChoice !== undefined) {
    const second = article.attributes.find((attribute) => attribute.id === SECOND_CHOICE)
    if (second) second.quantity = Number(input.secondChoice)
    else
      article.attributes.push({
        id: SECOND_CHOICE,
        external: '2',
        isDefault: false,
        quantity: Number(input.secondChoice),
        reserved: 0,
      })
  }
  article.changedAt = input.changedAt === undefined ? Date.now() : Date.parse(String(input.changedAt))
  if (delta)
    store.bookings.push({
      historyId: store.nextId++,
      reason: delta > 0 ? 'INCOMING' : 'INVENTORY_OUT',
      sku,
      productId: article.id,
      quantity: Math.abs(delta),
      flagged: false,
    })
}

const total = (article: StockArticle) => article.attributes.reduce((sum, attribute) => sum + attribute.quantity, 0)
const reserved = (article: StockArticle) => article.attributes.reduce((sum, attribute) => sum + attribute.reserved, 0)

export function mountWemaloStock(
  app: Hono,
  accountOf: (url: string) => object | undefined,
  lastBody: (c: { req: { url: string } }) => Json,
  sendCallback: (account: any, input: Json) => Promise<unknown>
) {
  app.post('/_sim/stock', async (c) => {
    const account = accountOf(c.req.url)!
    const body = (await c.req.json()) as Json
    const store = stockStoreOf(account)
    for (const input of body.articles ?? []) setStock(store, String(input.sku), input)
    if (body.notify)
      for (const input of body.articles ?? [])
        await sendCallback(account, {
          event: 'stock_change',
          payload: { type: body.type ?? 'INCOMING_STOCK', orderId: store.nextId++, externalId: String(input.sku) },
        })
    return c.json({ ok: true })
  })
  app.get('/_sim/stock', (c) => c.json({ articles: [...stockStoreOf(accountOf(c.req.url)!).articles.values()] }))

  // Wemalo reserves a goods order's positions once it accepts the order.
  app.use('/v1/goodsOrder/add', async (c, next) => {
    await next()
    if (c.res.status !== 200) return
    const store = stockStoreOf(accountOf(c.req.url)!)
    for (const position of (lastBody(c).positions ?? []) as Json[]) {
      const article = store.articles.get(String(position.externalId))
      if (!article) continue
      article.attributes[0].reserved += Number(position.quantity ?? 0)
      article.changedAt = Date.now()
    }
  })

  const availableStock = (c: { req: { url: string; query(name: string): string | undefined } }) => {
    const from = parseWemaloHour(c.req.query('fromDate'))
    if (from === null) return fail(400, 'missingParameter', 'fromDate is required as ddMMyyyyHH', 'fromDate')
    const store = stockStoreOf(accountOf(c.req.url)!)
    const articles = [...store.articles.values()]
      .filter((article) => article.changedAt >= from)
      .map((article) => ({
        ean: article.ean,
        id: article.id,
        attributes: article.attributes.map(({ id, isDefault, external, quantity }) => ({
          id,
          isDefault,
          external,
          quantity,
        })),
        sku: article.sku,
        externalId: article.sku,
        virtualQuantity: 0,
      }))
    return Response.json({ articles, Success: true })
  }
  app.get('/v1/product/availableStock/', availableStock)
  app.get('/v1/product/availableStock', availableStock)

  app.get('/v1/product/stock/reduced/:externalId', (c) => {
    const article = stockStoreOf(accountOf(c.req.url)!).articles.get(c.req.param('externalId'))
    if (!article) return fail(400, 'NOT_FOUND', 'Product external identifier not found', 'externalId')
    const hide = c.req.query('hideDetails') === 'true'
    return c.json({
      lotStartPosition: 0,
      lotEndPosition: 0,
      quantity: total(article),
      quantityReserved: reserved(article),
      notReservedQuantity: total(article) - reserved(article),
      ...(hide
        ? {}
        : {
            details: article.attributes.map((attribute, index) => ({
              id: index + 1,
              attributeEnglish: attribute.isDefault ? '1. Choice' : '2. Choice',
              attributeGerman: attribute.isDefault ? '1. Wahl' : '2. Wahl',
              attributeId: attribute.id,
              quantity: attribute.quantity,
              reserved: attribute.reserved,
              isDefault: attribute.isDefault,
            })),
          }),
      Success: true,
    })
  })

  app.get('/v1/product/stock/:externalId', (c) => {
    const article = stockStoreOf(accountOf(c.req.url)!).articles.get(c.req.param('externalId'))
    if (!article) return fail(400, 'NOT_FOUND', 'Product external identifier not found', 'externalId')
    return c.json({
      articles: article.attributes.map((attribute) => ({
        attributeId: attribute.id,
        quantity: attribute.quantity,
        ean: article.ean,
        clientId: 3,
        productId: article.id,
        serialnumber: '',
        clientName: 'Kontor',
        attributeEnglish: attribute.isDefault ? '1. Choice' : '2. Choice',
        attributeGerman: attribute.isDefault ? '1. Wahl' : '2. Wahl',
        sku: article.sku,
        barcode: article.ean,
        productName: article.sku,
      })),
      Success: true,
    })
  })

  app.get('/v1/product/bookings/flag', (c) => {
    const store = stockStoreOf(accountOf(c.req.url)!)
    const reason = c.req.query('reason')
    const page = Math.max(1, Number(c.req.query('page') ?? 1))
    const open = store.bookings.filter((booking) => !booking.flagged && (!reason || booking.reason === reason))
    const entries = open.slice((page - 1) * BOOKINGS_PAGE, page * BOOKINGS_PAGE).map((booking) => ({
      quantity: booking.quantity,
      productId: booking.productId,
      sku: booking.sku,
      externalIds: [{ key: booking.sku, value: 'Kontor' }],
      bookingHistoryEntries: [{ historyId: booking.historyId, extPositionReference: null }],
    }))
    return c.json({
      numberOfBookings: open.length,
      additionalPage: page * BOOKINGS_PAGE < open.length,
      maxResults: BOOKINGS_PAGE,
      page,
      entries,
      Success: true,
    })
  })
  app.put('/v1/product/bookings/flag', (c) => {
    const store = stockStoreOf(accountOf(c.req.url)!)
    const ids = (lastBody(c).historyIds ?? []) as unknown[]
    if (!Array.isArray(ids) || !ids.length) return fail(400, 'missingParameter', 'historyIds is required', 'historyIds')
    if (ids.length > BOOKINGS_PAGE)
      return fail(400, 'INVALID', `at most ${BOOKINGS_PAGE} historyIds per call`, 'historyIds')
    const updated: number[] = []
    for (const id of ids) {
      const booking = store.bookings.find((candidate) => candidate.historyId === Number(id))
      if (booking) {
        booking.flagged = true
        updated.push(booking.historyId)
      }
    }
    return c.json({ updated, allUpdated: updated.length === ids.length, Success: true })
  })
}
