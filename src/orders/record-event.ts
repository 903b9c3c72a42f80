/**
 * An order event reported by the back-office or a destination (SPEC §4): recorded once per
 * Idempotency-Key, applied to the order's status, and queued for write-back to the source
 * platform. The event row and the status change land in one batch.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { OrderEventInput } from '../connectors/types'
import { ApiError } from '../core/errors'
import { randomId } from '../core/ids'
import type { OrderStatus, Tracking } from '../core/model'
import { type Database, nowIso } from '../db/client'
import { orderEvents, orders } from '../db/schema'
import type { SyncMessage } from '../queue/messages'

/** The status an event moves the order to; `written_off` and `comment` leave it as it is. */
export function statusAfterEvent(type: OrderEventInput['type']): OrderStatus | null {
  return type === 'written_off' || type === 'comment' ? null : type
}

export async function recordOrderEvent(
  db: Database,
  queue: Queue<SyncMessage>,
  input: { tenantId: string; orderId: string; event: OrderEventInput; idempotencyKey: string | null; source: string }
) {
  const { tenantId, orderId, event } = input
  const order = await db
    .select({ id: orders.id, tracking: orders.tracking, writtenOff: orders.writtenOff })
    .from(orders)
    .where(and(eq(orders.id, orderId), eq(orders.tenantId, tenantId)))
    .get()
  if (!order) throw new ApiError(404, 'not_found', 'order not found')

  if (input.idempotencyKey) {
    const earlier = await db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.tenantId, tenantId), eq(orderEvents.idempotencyKey, input.idempotencyKey)))
      .get()
    if (earlier) {
      if (earlier.orderId !== orderId || earlier.type !== event.type) {
        throw new ApiError(409, 'idempotency_key_reused', 'this Idempotency-Key was used for a different event')
      }
      return { id: earlier.id, duplicate: true }
    }
  }

  const id = randomId('evt')
  const now = nowIso()
  const status = statusAfterEvent(event.type)
  const tracking = [...(order.tracking as Tracking[]), ...(event.tracking ?? [])]
  const changes: Partial<typeof orders.$inferInsert> = { changedAt: now }
  if (status) changes.status = status
  if (event.type === 'written_off') changes.writtenOff = true
  if (event.tracking?.length) changes.tracking = tracking

  const inserted = await db.batch([
    db
      .insert(orderEvents)
      .values({
        id,
        tenantId,
        orderId,
        type: event.type,
        at: now,
        message: event.message ?? null,
        data: { ...(event.data ?? {}), ...(event.tracking ? { tracking: event.tracking } : {}) },
        source: input.source,
        idempotencyKey: input.idempotencyKey,
      })
      .onConflictDoNothing()
      .returning({ id: orderEvents.id }),
    db
      .update(orders)
      .set(changes)
      // Only when the event row went in: a concurrent twin with the same key changes nothing.
      .where(and(eq(orders.id, orderId), sql`exists (select 1 from ${orderEvents} where ${orderEvents.id} = ${id})`)),
  ])
  if (!inserted[0].length) return { id: null, duplicate: true }

  await queueWriteBack(db, queue, { orderId, eventId: id, event })
  return { id, duplicate: false }
}

export async function queueWriteBack(db: Database, queue: Queue<SyncMessage>, message: Omit<SyncMessage, 'type'>) {
  await queue.send({ type: 'write-back', ...message })
  await db.update(orderEvents).set({ syncQueuedAt: nowIso() }).where(eq(orderEvents.id, message.eventId))
}
