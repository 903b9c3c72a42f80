/**
 * RT1 at Wemalo: returns the warehouse booked. `GET /returns/booked` lists the booking history
 * entries not yet synchronised (paged); `PUT /returns/booked/:bookingId` adds the synch date, after
 * which Wemalo stops listing the entry. Reading is therefore at-least-once: Kontor records each
 * booking under its id before it acknowledges it (src/returns/), so a booking read twice (poll,
 * webhook, redelivery) is one event. Returned stock itself reaches the shops through the stock
 * loop, never from here.
 */
import { FinalError } from '../../core/errors'
import { logger } from '../../core/logger'
import type { ConnectorContext, ReturnBooking, WarehouseReturns } from '../types'
import { wemaloRequest } from './client'
import {
  type WemaloCredentials,
  type WemaloReturnBooking,
  wemaloReturnBookingSchema,
  wemaloSentPageSchema,
  type WemaloSettings,
} from './schemas'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

/** Bounds one read: 20 pages of Wemalo's 50; the rest comes with the next poll. */
const MAX_RETURN_PAGES = 20

export function toReturnBooking(booking: WemaloReturnBooking): ReturnBooking {
  return {
    bookingId: booking.id,
    goodsOrderExternalId: booking.goodsOrderExternalId,
    sku: booking.externalProductId,
    productName: booking.productName,
    quantity: booking.quantity ?? 1,
    reason: booking.reasonCode,
    returnId: booking.goodsReceiptExternalId,
    serialNumber: booking.serialNumber,
    resaleable: booking.readyForShipment ?? null,
    bookedAt: booking.bookingDate,
  }
}

async function bookedReturns(context: Context): Promise<ReturnBooking[]> {
  const bookings: ReturnBooking[] = []
  for (let page = 0; page < MAX_RETURN_PAGES; page++) {
    const response = await wemaloRequest(context, '/returns/booked', { query: page ? { page } : {} })
    const parsed = wemaloSentPageSchema.safeParse(response.json())
    if (!parsed.success) throw new FinalError(`Wemalo returns/booked: unreadable answer ${response.text.slice(0, 200)}`)
    for (const raw of parsed.data.bookings) {
      const booking = wemaloReturnBookingSchema.safeParse(raw)
      if (booking.success) bookings.push(toReturnBooking(booking.data))
      // Without an id it can be neither recorded nor acknowledged: said, not dropped silently.
      else
        logger.warn('unreadable Wemalo return booking', {
          connectionId: context.connection.id,
          booking: JSON.stringify(raw).slice(0, 300),
        })
    }
    if (!parsed.data.additionalPage) break
  }
  return bookings
}

async function acknowledgeReturn(context: Context, bookingId: string): Promise<void> {
  // 404: Wemalo no longer has the entry to flag, so there is nothing left to acknowledge.
  await wemaloRequest(context, `/returns/booked/${encodeURIComponent(bookingId)}`, { method: 'PUT', accept: [404] })
}

export const wemaloReturns: WarehouseReturns<WemaloCredentials, WemaloSettings> = {
  booked: bookedReturns,
  acknowledge: acknowledgeReturn,
}
