/**
 * WM2: what Wemalo reports about a goods order, as order events.
 * - `INPROCESS` / `INPICKING` (and the later READYFORSHIPMENT, BLOCKEDPACKED, PACKED) → processing
 * - `SHIPPED` → shipped, one event per tracking number with the carrier Wemalo names for the parcel
 * - `CANCELLED` → cancelled
 * - `PARTIAL` with a reason → address_error or stock_error, the reason as message
 * Report keys name what happened, not how it was learnt: a shipment seen by the webhook and again
 * by the poll of sent packages is one event (`wemalo:shipped:<order>:<tracking number>`).
 *
 * `status_update` callbacks carry only the order's ids, so the status is read with getStatus;
 * `trackingnumber_added` carries Wemalo's goods order id, resolved to Kontor's order id through the
 * ids kept at hand-over. The cron's poll reads unsynchronised sent packages (Wemalo drops a hook
 * after 10 failed deliveries) and acknowledges each booking once the reports are recorded, and
 * asks getStatus about hand-overs open longer than `openAfterMinutes`.
 */
import { FinalError } from '../../core/errors'
import { parseJsonLosslessly } from '../../core/json'
import { logger } from '../../core/logger'
import type { OrderEventInput, Tracking } from '../../core/model'
import type { ConnectorContext, DestinationReport, HandoverReference, InboxEvent, ReportPoll } from '../types'
import { wemaloRequest } from './client'
import { findGoodsOrder, goodsOrderTracking, parcelTracking } from './goods-orders'
import {
  type WemaloBooking,
  wemaloBookingSchema,
  type WemaloCredentials,
  wemaloSentPageSchema,
  type WemaloSettings,
  type WemaloStatus,
} from './schemas'
import { stockChangeReports } from './stock-change'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

const PROCESSING = ['INPROCESS', 'INPICKING', 'READYFORSHIPMENT', 'BLOCKEDPACKED', 'PACKED']
const ADDRESS_WORDS =
  /addr|adress|anschrift|empf[aä]nger|receiver|recipient|street|stra(ss|ß)e|zip|plz|postcode|postal|city|\bort\b|country|land/i
/** At most this many open hand-overs are asked about per poll (each is one call). */
export const OPEN_CHECKS_PER_POLL = 50
const MAX_SENT_PAGES = 20

/** PARTIAL's reason → address_error or stock_error. */
export function partialEventType(reason: string): 'address_error' | 'stock_error' {
  return ADDRESS_WORDS.test(reason) ? 'address_error' : 'stock_error'
}

export function shippedReport(orderId: string, tracking: Tracking | null): DestinationReport {
  const event: OrderEventInput = tracking
    ? { type: 'shipped', tracking: [tracking] }
    : { type: 'shipped', tracking: [] }
  return { kind: 'event', orderId, reportKey: `wemalo:shipped:${orderId}:${tracking?.number ?? '-'}`, event }
}

/** The events a goods order status means (SHIPPED reads the parcels' tracking numbers). */
export async function statusReports(
  context: Context,
  orderId: string,
  status: WemaloStatus
): Promise<DestinationReport[]> {
  const name = status.statusName.toUpperCase()
  const data = { wemaloStatus: name, wemaloStatusId: status.statusId, goodsOrderId: status.id ?? null }
  if (PROCESSING.includes(name)) {
    return [{ kind: 'event', orderId, reportKey: `wemalo:processing:${orderId}`, event: { type: 'processing', data } }]
  }
  if (name === 'CANCELLED') {
    return [{ kind: 'event', orderId, reportKey: `wemalo:cancelled:${orderId}`, event: { type: 'cancelled', data } }]
  }
  if (name === 'PARTIAL') {
    const reason = status.reasonPartiallyReserved
    // Without a reason PARTIAL is Wemalo still reserving: nothing to report yet.
    if (!reason) return []
    const type = partialEventType(reason)
    return [
      {
        kind: 'event',
        orderId,
        reportKey: `wemalo:${type}:${orderId}:${reason}`,
        event: { type, message: reason, data },
      },
    ]
  }
  if (name === 'SHIPPED') {
    const tracking = await goodsOrderTracking(context, orderId)
    return tracking.length ? tracking.map((entry) => shippedReport(orderId, entry)) : [shippedReport(orderId, null)]
  }
  return []
}

/** A callback body: JSON, or a form post (the apidoc does not say which Wemalo sends). */
export function readCallbackBody(text: string): Record<string, unknown> | null {
  try {
    const value = parseJsonLosslessly(text)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // not JSON
  }
  if (text.includes('=')) return Object.fromEntries(new URLSearchParams(text))
  return null
}

const idText = (value: unknown) =>
  (typeof value === 'string' && value.trim() !== '') || typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : null

// ---- goods order id → Kontor order id, kept at hand-over for trackingnumber_added ----

type Session = { goodsOrders?: Record<string, string> }
/**
 * The session is one encrypted row, read and written whole: it keeps the latest goods orders only.
 * Wemalo's ids are integers, which a JS object orders ascending, so the lowest (oldest) go first.
 * An id no longer kept (or lost to two hand-overs writing at once) only means that
 * trackingnumber_added reports nothing: the SHIPPED status_update and the poll still do.
 */
const KEPT_GOODS_ORDERS = 500

export async function rememberGoodsOrder(context: Context, goodsOrderId: string, orderId: string) {
  const session = (await context.session.get<Session>()) ?? {}
  const goodsOrders = { ...session.goodsOrders }
  if (goodsOrders[goodsOrderId] === orderId) return
  delete goodsOrders[goodsOrderId]
  goodsOrders[goodsOrderId] = orderId
  const keys = Object.keys(goodsOrders)
  for (const key of keys.slice(0, Math.max(0, keys.length - KEPT_GOODS_ORDERS))) delete goodsOrders[key]
  await context.session.set({ ...session, goodsOrders })
}

async function orderOfGoodsOrder(context: Context, goodsOrderId: string): Promise<string | null> {
  return (await context.session.get<Session>())?.goodsOrders?.[goodsOrderId] ?? null
}

// ---- webhooks ----

export async function parseWemaloReports(event: InboxEvent, context: Context): Promise<DestinationReport[]> {
  const body = readCallbackBody(event.body)
  if (!body) throw new FinalError(`unreadable Wemalo ${event.topic} callback`)
  if (event.topic === 'status_update') {
    const orderId = idText(body.externalId)
    if (!orderId) throw new FinalError('Wemalo status_update without externalId')
    const status = await findGoodsOrder(context, orderId)
    if (!status)
      throw new FinalError(`Wemalo status_update for ${orderId}, but getStatus does not know that goods order`)
    return statusReports(context, orderId, status)
  }
  if (event.topic === 'trackingnumber_added') {
    const goodsOrderId = idText(body.goodsOrderId)
    const parcelId = idText(body.goodsOrderParcelId)
    if (!goodsOrderId || !parcelId)
      throw new FinalError('Wemalo trackingnumber_added without goodsOrderId or goodsOrderParcelId')
    const orderId = idText(body.externalId) ?? (await orderOfGoodsOrder(context, goodsOrderId))
    // Not handed over by this connection (or kept ids rotated out): the SHIPPED status and the
    // poll of sent packages still bring the tracking number.
    if (!orderId) return []
    const status = await findGoodsOrder(context, orderId)
    // A tracking number comes with the label; the order counts as shipped once Wemalo says SHIPPED.
    if (status?.statusName.toUpperCase() !== 'SHIPPED') return []
    const tracking = await parcelTracking(context, parcelId)
    return [shippedReport(orderId, tracking)]
  }
  if (event.topic === 'stock_change') return stockChangeReports(body)
  return []
}

// ---- the cron's poll ----

async function readSentBookings(context: Context): Promise<WemaloBooking[]> {
  const bookings: WemaloBooking[] = []
  for (let page = 0; page < MAX_SENT_PAGES; page++) {
    const response = await wemaloRequest(context, '/goodsOrder/packages/sent/', { query: page ? { page } : {} })
    const parsed = wemaloSentPageSchema.safeParse(response.json())
    if (!parsed.success) throw new FinalError(`Wemalo packages/sent: unreadable answer ${response.text.slice(0, 200)}`)
    for (const raw of parsed.data.bookings) {
      const booking = wemaloBookingSchema.safeParse(raw)
      if (booking.success) bookings.push(booking.data)
      // Without a booking id it can be neither read as ours nor acknowledged: said, not dropped silently.
      else
        logger.warn('unreadable Wemalo sent-package booking', {
          connectionId: context.connection.id,
          booking: JSON.stringify(raw).slice(0, 300),
        })
    }
    if (!parsed.data.additionalPage) break
  }
  return bookings
}

/**
 * Goods orders Kontor created carry its order id (`ord_…`) as external id. A Wemalo account may
 * also be synchronised by another integration (a shop plugin): its bookings are neither reported
 * nor acknowledged here, so that integration still finds them unsynchronised.
 */
export function isKontorBooking(booking: WemaloBooking): boolean {
  return /^ord_[A-Za-z0-9_-]+$/.test(booking.externalGoodsOrderId ?? '')
}

export function bookingReports(bookings: WemaloBooking[]): DestinationReport[] {
  const reports = new Map<string, DestinationReport>()
  for (const booking of bookings) {
    if (!booking.externalGoodsOrderId || !isKontorBooking(booking)) continue
    const tracking = booking.trackingNumber
      ? { number: booking.trackingNumber, carrier: booking.dispatcherName ?? booking.dispatcherProduct ?? null }
      : null
    const report = shippedReport(booking.externalGoodsOrderId, tracking)
    if (report.kind === 'event') reports.set(report.reportKey, report)
  }
  return [...reports.values()]
}

function openLongEnough(context: Context, handover: HandoverReference): boolean {
  const since = Date.parse(handover.updatedAt || handover.createdAt)
  return !Number.isNaN(since) && context.now().getTime() - since >= context.settings.openAfterMinutes * 60_000
}

/**
 * At most OPEN_CHECKS_PER_POLL a poll: unconfirmed hand-overs first, then a window over the rest
 * that moves on with every poll, so that many long-open orders are all asked about in turn.
 */
export function rotation(context: Pick<Context, 'now' | 'settings'>, due: HandoverReference[]): HandoverReference[] {
  if (due.length <= OPEN_CHECKS_PER_POLL) return due
  const unconfirmed = due.filter((handover) => handover.state !== 'confirmed')
  const confirmed = due.filter((handover) => handover.state === 'confirmed')
  const room = Math.max(0, OPEN_CHECKS_PER_POLL - unconfirmed.length)
  const turn = Math.floor(context.now().getTime() / (context.settings.pollMinutes * 60_000))
  const start = confirmed.length ? (turn * room) % confirmed.length : 0
  const window = [...confirmed.slice(start), ...confirmed.slice(0, start)].slice(0, room)
  return [...unconfirmed, ...window].slice(0, OPEN_CHECKS_PER_POLL)
}

export async function pollWemaloReports(context: Context, open: HandoverReference[]): Promise<ReportPoll> {
  const bookings = await readSentBookings(context)
  const reports = bookingReports(bookings)

  const due = rotation(
    context,
    open
      .filter(
        (handover) => ['pending', 'sent', 'confirmed'].includes(handover.state) && openLongEnough(context, handover)
      )
      .sort(
        (a, b) =>
          (a.state === 'confirmed' ? 1 : 0) - (b.state === 'confirmed' ? 1 : 0) || a.orderId.localeCompare(b.orderId)
      )
  )
  for (const handover of due) {
    const status = await findGoodsOrder(context, handover.orderId)
    if (!status) continue
    if (handover.state !== 'confirmed' && status.id) {
      reports.push({
        kind: 'confirmed',
        orderId: handover.orderId,
        reference: status.id,
        detail: `goods order ${status.id} found by getStatus (${status.statusName})`,
      })
    }
    for (const report of await statusReports(context, handover.orderId, status)) {
      // A shipment the sent packages brought already is not reported twice.
      if (
        report.kind === 'event' &&
        reports.some((known) => known.kind === 'event' && known.reportKey === report.reportKey)
      )
        continue
      reports.push(report)
    }
  }

  const bookingIds = [...new Set(bookings.filter(isKontorBooking).map((booking) => booking.historyId))]
  return {
    reports,
    acknowledge: bookingIds.length
      ? async () => {
          for (const bookingId of bookingIds) {
            await wemaloRequest(context, `/goodsOrder/packages/sent/${encodeURIComponent(bookingId)}`, {
              method: 'PUT',
            })
          }
        }
      : undefined,
  }
}
