/**
 * RT1: the returns a warehouse booked become `returned {lines, reason}` events on the orders it
 * was handed, then each booking is acknowledged. Runs on the destination's poll and at once when
 * its webhook says returns were booked.
 *
 * Exactly once, step by step: the event is keyed by (warehouse, booking), so a booking read by the
 * poll, the webhook and a redelivery is recorded once; the acknowledgement is an outbound step
 * that runs only after the event is stored, and until it is done the warehouse keeps listing the
 * booking, so a failed acknowledgement is tried again by the next read (and the queue's retry) —
 * never lost, never sent first. A booking for a goods order Kontor did not hand to this warehouse
 * is written to the import log (`kind: return`, `skipped`) and acknowledged with the reason, so
 * the warehouse stops offering it; it is not retried forever.
 */
import { and, eq } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import type { ReturnBooking } from '../connectors/types'
import { RetryableError } from '../core/errors'
import { logger } from '../core/logger'
import { returnDetails, returnedLinesText, returnNote, type ReturnedLine } from '../core/returns'
import type { Bindings } from '../env'
import { type Database, nowIso } from '../db/client'
import { handovers, importLog, orderEvents, orders } from '../db/schema'
import { loadDestination } from '../handover/destination'
import { outboundSteps } from '../exactly-once/steps'
import { recordOrderEvent } from '../orders/record-event'
import { returnedLinesOf, returnedQuantities } from './returned-lines'

type Destination = NonNullable<Awaited<ReturnType<typeof loadDestination>>>

/** The order a booking belongs to: one this warehouse was handed, of the warehouse's tenant. */
async function orderOfBooking(db: Database, destination: Destination, booking: ReturnBooking) {
  if (!booking.goodsOrderExternalId) return null
  const row = await db
    .select({ id: orders.id, tenantId: orders.tenantId, lines: orders.lines })
    .from(handovers)
    .innerJoin(orders, eq(orders.id, handovers.orderId))
    .where(
      and(
        eq(handovers.orderId, booking.goodsOrderExternalId),
        eq(handovers.destinationId, destination.connection.id),
        eq(orders.tenantId, destination.connection.tenantId)
      )
    )
    .get()
  if (!row) return null
  const earlier = await db
    .select({ data: orderEvents.data })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, row.id), eq(orderEvents.type, 'returned')))
  const returned = returnedQuantities(
    row.lines,
    earlier.map((event) => returnDetails(event.data as Record<string, unknown> | null).lines)
  )
  return { ...row, returned }
}

/** One log line per booking (its id is derived from the booking): what the return became. */
async function logBooking(
  db: Database,
  destination: Destination,
  booking: ReturnBooking,
  entry: { result: 'created' | 'skipped'; reason: string }
) {
  await db
    .insert(importLog)
    .values({
      id: `log_return_${destination.connection.id}_${booking.bookingId}`,
      tenantId: destination.connection.tenantId,
      connectionId: destination.connection.id,
      kind: 'return',
      externalId: booking.bookingId,
      result: entry.result,
      rule: 'RT1',
      reason: entry.reason.slice(0, 2000),
      at: nowIso(),
    })
    .onConflictDoNothing()
}

function itemText(booking: ReturnBooking): string {
  const item: ReturnedLine = { lineId: null, sku: booking.sku, name: booking.productName, quantity: booking.quantity }
  return `${returnedLinesText([item])}${booking.reason ? `, reason ${booking.reason}` : ''}`
}

/** Records one booking (as an event, or in the import log when its order is unknown), then acknowledges it. */
async function settleBooking(env: Bindings, db: Database, destination: Destination, booking: ReturnBooking) {
  const { connection, connector } = destination
  const order = await orderOfBooking(db, destination, booking)
  let detail: string
  if (order) {
    const lines = returnedLinesOf(order.lines, order.returned, { ...booking, name: booking.productName })
    const data = {
      lines,
      reason: booking.reason,
      bookingId: booking.bookingId,
      returnId: booking.returnId,
      serialNumber: booking.serialNumber,
      resaleable: booking.resaleable,
      bookedAt: booking.bookedAt,
      warehouse: connection.platform,
      destination: connection.id,
    }
    const recorded = await recordOrderEvent(
      db,
      { sync: env.SYNC, dispatch: env.DISPATCH },
      {
        tenantId: order.tenantId,
        orderId: order.id,
        event: { type: 'returned', message: returnNote({ data }), data },
        idempotencyKey: `return:${connection.id}:${booking.bookingId}`,
        source: connection.id,
      }
    )
    if (!recorded.duplicate)
      await logBooking(db, destination, booking, {
        result: 'created',
        reason: `return booking ${booking.bookingId} (${itemText(booking)}) recorded on order ${order.id}`,
      })
    detail = `return booking ${booking.bookingId} acknowledged (recorded on order ${order.id})`
  } else {
    const reason = `${connection.platform} booked a return (${itemText(booking)}) against goods order ${booking.goodsOrderExternalId ?? '(none)'}, which was never handed to this warehouse by Kontor: nothing to record it on; acknowledged so that it is not offered again`
    await logBooking(db, destination, booking, { result: 'skipped', reason })
    logger.warn('return booking for an unknown goods order', {
      connectionId: connection.id,
      bookingId: booking.bookingId,
      goodsOrderExternalId: booking.goodsOrderExternalId,
    })
    detail = `return booking ${booking.bookingId} acknowledged without an event: ${reason}`
  }
  await outboundSteps(db, {
    tenantId: connection.tenantId,
    connectionId: connection.id,
    orderId: order?.id ?? null,
    owner: `return-booking:${connection.id}:${booking.bookingId}`,
    action: 'return',
  }).once('acknowledge', async () => {
    await connector.returns!.acknowledge(connectorContext(env, connector, connection, db), booking.bookingId)
    return detail
  })
}

/** Reads the warehouse's booked returns and settles each; a booking that fails is tried again later. */
export async function readBookedReturns(env: Bindings, db: Database, destinationId: string) {
  const destination = await loadDestination(env, db, destinationId)
  const returns = destination?.connector.returns
  if (!destination || !returns) return
  const { connection, connector } = destination
  const bookings = await returns.booked(connectorContext(env, connector, connection, db))
  const failures: string[] = []
  for (const booking of bookings) {
    try {
      await settleBooking(env, db, destination, booking)
    } catch (error) {
      // The others still go on; this one stays listed by the warehouse and is read again.
      failures.push(`booking ${booking.bookingId}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  if (failures.length) {
    throw new RetryableError(
      `${failures.length} of ${bookings.length} return booking(s) not settled, tried again: ${failures.join('; ').slice(0, 1000)}`
    )
  }
}
