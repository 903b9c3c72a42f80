/**
 * An order event reported by the back-office, a destination or the hand-over itself (SPEC §4):
 * recorded once per idempotency key, applied to the order, and queued for write-back to the
 * source platform and for hub webhooks. The event row, the order change and the hub deliveries
 * land in one batch, and every change is computed in SQL from the row as it is then — so two
 * concurrent reports both keep their tracking numbers, and a late `processing` never takes a
 * shipped order back.
 */
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { ApiError } from '../core/errors'
import { randomId } from '../core/ids'
import type { OrderEventInput } from '../core/model'
import { statusAfterEvent, statusesKeptAgainst } from '../core/order-status'
import { type Database, nowIso } from '../db/client'
import { orderEvents, orders } from '../db/schema'
import { writeBatch } from '../db/write-batch'
import { hubEventsStatement, returnedIds } from '../hub/emit'
import { returnDetails } from '../core/returns'
import { withReturnedLines } from '../returns/returned-lines'
import { statusAfterReturnSql } from '../returns/return-status'

export type RecordedEvent = { id: string | null; duplicate: boolean }

/** A write-back of the event to the order's source (SPEC §4), as the SYNC consumer takes it. */
export type WriteBackRequest = { type: 'write-back'; eventId: string }
/** One hub webhook delivery to send (HW1), as the DISPATCH consumer takes it. */
export type HubDeliveryRequest = { type: 'hub-delivery'; deliveryId: string }

/**
 * Where a recorded event's follow-up work goes: the port this module needs from the queues
 * (the Worker's SYNC and DISPATCH bindings fit it as they are), so the order model does not
 * depend on the queue layer; src/queue/messages.ts includes these requests in its unions.
 */
export type EventQueues = {
  sync: { send(message: WriteBackRequest): Promise<unknown> }
  dispatch: { sendBatch(messages: { body: HubDeliveryRequest }[]): Promise<unknown> }
}

export async function recordOrderEvent(
  db: Database,
  queues: EventQueues,
  input: { tenantId: string; orderId: string; event: OrderEventInput; idempotencyKey: string | null; source: string }
): Promise<RecordedEvent> {
  const { tenantId, orderId } = input
  const order = await db
    .select({ id: orders.id, lines: orders.lines })
    .from(orders)
    .where(and(eq(orders.id, orderId), eq(orders.tenantId, tenantId)))
    .get()
  if (!order) throw new ApiError(404, 'not_found', 'order not found')
  // A return names its lines by id and SKU (and name), however the reporter named them.
  const event = input.event.type === 'returned' ? withReturnedLines(input.event, order.lines) : input.event

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

  const recorded = orderEventStatements(db, { ...input, event })
  const results = await writeBatch(db, recorded.statements)
  if (!results[0].meta.changes) return { id: null, duplicate: true }

  await queueEventFollowUps(db, queues, recorded.id, returnedIds(results[2]))
  return { id: recorded.id, duplicate: false }
}

export type OrderEventRecord = {
  tenantId: string
  orderId: string
  event: OrderEventInput
  idempotencyKey: string | null
  source: string
}

/**
 * The three statements of one event: its row, the order's change, its hub deliveries, in this
 * order (the caller reads results[0] for "inserted" and results[2] for the delivery ids). The
 * row goes in only if `onlyIf` holds (e.g. that the state change it reports was written in the
 * same batch) and no event has its key yet; the other two only if the row went in.
 */
export function orderEventStatements(db: Database, input: OrderEventRecord, onlyIf: SQL = sql`1`) {
  const { tenantId, orderId, event } = input
  const id = randomId('evt')
  const now = nowIso()
  const data = { ...(event.data ?? {}), ...(event.tracking ? { tracking: event.tracking } : {}) }
  const inserted = sql`exists (select 1 from ${orderEvents} where ${orderEvents.id} = ${id})`
  const statements = [
    // sync_queued_at: queued right after this batch; the cron re-queues one whose write-back never ran.
    db.run(sql`insert into ${orderEvents} (id, tenant_id, order_id, type, at, message, data, source, idempotency_key, sync_queued_at)
      select ${id}, ${tenantId}, ${orderId}, ${event.type}, ${now}, ${event.message ?? null}, ${JSON.stringify(data)},
        ${input.source}, ${input.idempotencyKey}, ${now}
      where ${onlyIf}
      on conflict do nothing`),
    // Only when the event row went in: a concurrent twin with the same key changes nothing.
    db
      .update(orders)
      .set(orderChanges(event, now))
      .where(and(eq(orders.id, orderId), inserted)),
    hubEventsStatement(db, {
      tenantId,
      orderId,
      events: [{ type: `order.${event.type}`, eventKey: id, eventId: id }],
      at: now,
      onlyIf: inserted,
    }),
  ]
  return { id, statements }
}

/** After an event's batch: queue its write-back and hub deliveries, if the row went in. */
export async function queueRecordedEvent(db: Database, queues: EventQueues, eventId: string, results: D1Result[]) {
  if (results[0]?.meta.changes) await queueEventFollowUps(db, queues, eventId, returnedIds(results[2]))
}

function orderChanges(event: OrderEventInput, now: string) {
  const status = statusAfterEvent(event.type)
  const kept = statusesKeptAgainst(event.type)
  const changes: Record<string, unknown> = { changedAt: now, revision: sql`${orders.revision} + 1` }
  if (status) {
    changes.status = kept.length
      ? sql`case when ${orders.status} in (${sql.join(
          kept.map((value) => sql`${value}`),
          sql`, `
        )}) then ${orders.status} else ${status} end`
      : status
  }
  // A return that names its lines completes the order only once every line came back (RT1).
  if (event.type === 'returned' && returnDetails(event.data).lines.length) changes.status = statusAfterReturnSql()
  if (event.type === 'written_off') changes.writtenOff = true
  if (event.tracking?.length) {
    // Appended from the row as it is now, so a concurrent report's numbers are kept.
    const added = JSON.stringify(event.tracking)
    changes.tracking = sql`(select json_group_array(json(value)) from (
      select value from json_each(${orders.tracking})
      union all
      select value from json_each(${added}) where value not in (select value from json_each(${orders.tracking}))))`
  }
  return changes
}

/**
 * Queues the write-back and the hub deliveries of a recorded event. The event row says it is
 * queued already; if this is interrupted, the cron finds a write-back that never ran (no
 * `write-back:<event id>` claim, src/queue/sync.ts) and a delivery never attempted, and queues them.
 */
export async function queueEventFollowUps(_db: Database, queues: EventQueues, eventId: string, deliveryIds: string[]) {
  if (deliveryIds.length) {
    await queues.dispatch.sendBatch(deliveryIds.map((deliveryId) => ({ body: { type: 'hub-delivery', deliveryId } })))
  }
  await queues.sync.send({ type: 'write-back', eventId })
}

export async function queueWriteBack(db: Database, queue: EventQueues['sync'], eventId: string) {
  await queue.send({ type: 'write-back', eventId })
  await db.update(orderEvents).set({ syncQueuedAt: nowIso() }).where(eq(orderEvents.id, eventId))
}
