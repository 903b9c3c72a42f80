/**
 * Returns in the Wemalo simulator (RT1), mounted by wemalo.ts under the account's `/v1` middleware
 * (auth, rate limit, faults, request log and apidoc check apply as to every other route).
 * - `POST /_sim/returns {goodsOrderExternalId, items:[{externalId|sku, quantity?, reasonCode?,
 *   serialNumber?, readyForShipment?}], reasonCode?, returnId?, notify?}` books a return the way
 *   the warehouse does when the parcel is unpacked: one booking history entry per item, listed by
 *   `GET /v1/returns/booked` until `PUT /v1/returns/booked/:bookingId` adds its synch date. With
 *   `notify: true` the `stock_change` callback (`type: RETURNSHIPMENT`) goes to the registered
 *   hook; `notify: "delivery"` only returns it, for a test inside workerd to post itself.
 * - `GET /_sim/returns` lists every booking with its synch date (null while unacknowledged).
 *
 * The apidoc lists no quantity on a booking; Wemalo's WooCommerce plugin receives one with its
 * `return/booked` callback, so the simulator sends `quantity` too (Kontor reads 1 without it).
 */
import type { Hono } from 'hono'

type Json = Record<string, any>

export type ReturnBookingRow = Json & { id: string; synchedAt: string | null }

type ReturnsHost = {
  /** The simulated account of the request's host, or undefined. */
  accountOf(url: string): object | undefined
  /** A goods order of the account by external id (for names and numbers), or undefined. */
  goodsOrderOf(account: object, externalId: string): { id: number; orderNumber: string; body: Json } | undefined
  nextId(account: object): number
  pageSize(account: object): number
  sendCallback(account: object, input: Json): Promise<{ deliveries: Json[]; reason?: string } | { error: string }>
}

const fail = (status: number, error: string, message: string, field?: string) =>
  Response.json({ Success: false, status, error, ...(field ? { field } : {}), message }, { status })

const wemaloTime = (date: Date) => {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${pad(date.getUTCDate())}.${pad(date.getUTCMonth() + 1)}.${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
}

export function mountWemaloReturns(app: Hono, host: ReturnsHost) {
  const bookingsOf = new WeakMap<object, ReturnBookingRow[]>()
  const bookings = (account: object) => {
    let list = bookingsOf.get(account)
    if (!list) bookingsOf.set(account, (list = []))
    return list
  }

  app.post('/_sim/returns', async (c) => {
    const account = host.accountOf(c.req.url)!
    const body = (await c.req.json()) as Json
    const externalId = String(body.goodsOrderExternalId ?? '')
    const items = Array.isArray(body.items) ? (body.items as Json[]) : []
    if (!externalId || !items.length) return c.json({ error: 'goodsOrderExternalId and items are required' }, 400)
    const goodsOrder = host.goodsOrderOf(account, externalId)
    const positions = (goodsOrder?.body.positions ?? []) as Json[]
    const returnId = String(body.returnId ?? `RET-${host.nextId(account)}`)
    const returnsOrderId = host.nextId(account)
    const now = wemaloTime(new Date())
    const created: ReturnBookingRow[] = []
    for (const item of items) {
      const sku = String(item.externalId ?? item.sku ?? '')
      const position = positions.find((candidate) => candidate.externalId === sku)
      created.push({
        id: String(host.nextId(account)),
        synchedAt: null,
        externalProductId: sku,
        productId: String(host.nextId(account)),
        productName: item.productName ?? position?.externalId ?? sku,
        bookingDate: now,
        attributeCode: '1. choice',
        attributeDefault: true,
        attributePackagingCode: '',
        reasonCode: item.reasonCode ?? body.reasonCode ?? '',
        serialNumber: item.serialNumber ?? '',
        goodsReceiptExternalId: returnId,
        goodsReceiptDeliveryNumber: String(body.deliveryNumber ?? returnId),
        goodsReceiptOrderNumber: String(returnsOrderId),
        goodsOrderExternalId: externalId,
        goodsOrderNumber: goodsOrder?.orderNumber ?? '',
        readyForShipment: item.readyForShipment ?? true,
        quantity: item.quantity ?? 1,
      })
    }
    bookings(account).push(...created)
    let deliveries: Json[] = []
    if (body.notify) {
      const sent = await host.sendCallback(account, {
        event: 'stock_change',
        payload: { type: 'RETURNSHIPMENT', orderId: returnsOrderId, externalId: returnId },
        deliver: body.notify !== 'delivery',
      })
      if ('deliveries' in sent) deliveries = sent.deliveries
    }
    return c.json({ bookingIds: created.map((booking) => booking.id), returnId, returnsOrderId, deliveries })
  })

  app.get('/_sim/returns', (c) => c.json({ bookings: bookings(host.accountOf(c.req.url)!) }))

  app.get('/v1/returns/booked', (c) => {
    const account = host.accountOf(c.req.url)!
    const page = Number(c.req.query('page') ?? 0)
    const filter = {
      goodsOrderExternalId: c.req.query('externalGoodsOrderId'),
      goodsReceiptExternalId: c.req.query('externalReturnsId'),
      goodsReceiptOrderNumber: c.req.query('returnsId'),
    }
    const open = bookings(account).filter(
      (booking) =>
        !booking.synchedAt &&
        Object.entries(filter).every(([field, value]) => value === undefined || booking[field] === value)
    )
    const size = host.pageSize(account)
    return c.json({
      page,
      additionalPage: open.length > (page + 1) * size,
      bookings: open.slice(page * size, (page + 1) * size).map(({ synchedAt: _synchedAt, ...booking }) => booking),
      Success: true,
    })
  })

  app.put('/v1/returns/booked/:bookingId', (c) => {
    const account = host.accountOf(c.req.url)!
    const booking = bookings(account).find((candidate) => candidate.id === c.req.param('bookingId'))
    if (!booking) return fail(404, 'NOT_FOUND', `no booking ${c.req.param('bookingId')}`, 'bookingId')
    booking.synchedAt ??= new Date().toISOString()
    return c.json({ Success: true })
  })
}
