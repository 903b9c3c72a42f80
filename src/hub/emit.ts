/**
 * Hub events (HW1) are written as `webhook_deliveries` rows in the same D1 batch as the change
 * they report, one per subscribed endpoint, so a change is never saved without its events (and
 * a repeated change, keyed the same, adds none). The statement returns the new rows' ids, which
 * the caller queues; the cron re-queues any that never reached the queue.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { webhookDeliveries, webhookEndpoints } from '../db/schema'

export type HubEvent = {
  /** `order.imported`, `order.updated`, or `order.<event type>`. */
  type: string
  /** What makes this event unique (an order event id, or an import's revision). */
  eventKey: string
  eventId?: string | null
}

export type HubEvents = {
  tenantId: string
  orderId: string
  events: HubEvent[]
  at: string
  /** A further condition, e.g. that the event row this batch inserts really went in. */
  onlyIf?: SQL
}

/** One statement for all events of a change: a row per event and subscribed endpoint. */
export function hubEventsStatement(db: Database, change: HubEvents) {
  const events = JSON.stringify(
    change.events.map((event) => ({ type: event.type, key: event.eventKey, eventId: event.eventId ?? null }))
  )
  return db.run(sql`insert into ${webhookDeliveries}
    (id, tenant_id, endpoint_id, event_key, type, order_id, event_id, state, attempts, created_at, updated_at)
    select 'whd_' || lower(hex(randomblob(10))), ${webhookEndpoints.tenantId}, ${webhookEndpoints.id},
      event.value ->> 'key', event.value ->> 'type', ${change.orderId}, event.value ->> 'eventId',
      'pending', 0, ${change.at}, ${change.at}
    from ${webhookEndpoints}, json_each(${events}) as event
    where ${webhookEndpoints.tenantId} = ${change.tenantId} and ${webhookEndpoints.deletedAt} is null
      and exists (select 1 from json_each(${webhookEndpoints.events}) where value in ('*', event.value ->> 'type'))
      and ${change.onlyIf ?? sql`1`}
    on conflict do nothing
    returning id`)
}

/** The ids a batch statement with `returning id` gave back (new deliveries, hand-overs to cancel). */
export function returnedIds(result: D1Result | undefined): string[] {
  return ((result?.results ?? []) as { id: string }[]).map((row) => row.id)
}
