/**
 * A disabled hub endpoint's deliveries wait (state `held`) and, once it is enabled again, go out
 * oldest first, one at a time: each settled delivery releases the next. While a backlog exists
 * (`held_since` on the endpoint) a new delivery queues behind it rather than overtaking it.
 * Deliveries older than the tenant's retention when the endpoint comes back are not sent: they
 * end as failed with the reason.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { tenants, webhookDeliveries, webhookEndpoints } from '../db/schema'
import type { DispatchMessage } from '../queue/messages'
import { writeBatch } from '../db/write-batch'

type DeliveryKey = { id: string; endpointId: string; createdAt: string }

/**
 * Holds the delivery when its endpoint is disabled or an older delivery of it is held; true when
 * it was held (the caller then sends nothing and the message is done).
 */
export async function holdIfWaiting(db: Database, delivery: DeliveryKey, now: string): Promise<boolean> {
  const [held] = await writeBatch(db, [
    db.run(sql`update ${webhookDeliveries} set state = 'held', updated_at = ${now}
      where id = ${delivery.id} and state <> 'delivered' and (
        exists (select 1 from ${webhookEndpoints} where id = ${delivery.endpointId} and disabled_at is not null)
        or exists (select 1 from ${webhookDeliveries} as older where older.endpoint_id = ${delivery.endpointId}
          and older.state = 'held' and (older.created_at < ${delivery.createdAt}
            or (older.created_at = ${delivery.createdAt} and older.id < ${delivery.id}))))
      returning id`),
    db.run(sql`update ${webhookEndpoints} set held_since = coalesce(held_since, ${now})
      where id = ${delivery.endpointId}
        and exists (select 1 from ${webhookDeliveries} where id = ${delivery.id} and state = 'held')`),
  ])
  return ((held?.results ?? []) as unknown[]).length > 0
}

/**
 * Sends the endpoint's oldest held delivery; when none is left, ends the backlog. A delivery held
 * meanwhile keeps the backlog (the end is conditional), and the loop then releases it.
 */
export async function releaseNextHeld(db: Database, queue: Queue, endpointId: string, now: string) {
  for (let round = 0; round < 3; round++) {
    const released = await db.all<{
      id: string
    }>(sql`update ${webhookDeliveries} set state = 'pending', updated_at = ${now}
      where id = (select id from ${webhookDeliveries} where endpoint_id = ${endpointId} and state = 'held'
        order by created_at, id limit 1)
        and not exists (select 1 from ${webhookEndpoints} where id = ${endpointId} and disabled_at is not null)
      returning id`)
    if (released.length) {
      await queue.send({ type: 'hub-delivery', deliveryId: released[0].id } satisfies DispatchMessage)
      return
    }
    const ended = await db.all<{ id: string }>(sql`update ${webhookEndpoints} set held_since = null
      where id = ${endpointId} and not exists (select 1 from ${webhookDeliveries} where endpoint_id = ${endpointId} and state = 'held')
      returning id`)
    if (ended.length) return
  }
}

/** Statement: held deliveries of the endpoint older than the tenant's retention end as failed. */
export function expireHeldStatement(db: Database, endpointId: string, tenantId: string, now: Date) {
  return db
    .update(webhookDeliveries)
    .set({
      state: 'failed',
      lastError: 'not sent: older than the retention period when the endpoint was enabled again',
      updatedAt: now.toISOString(),
    })
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        eq(webhookDeliveries.state, 'held'),
        sql`${webhookDeliveries.createdAt} < strftime('%Y-%m-%dT%H:%M:%fZ', ${now.toISOString()},
          '-' || (select ${tenants.retentionDays} from ${tenants} where ${tenants.id} = ${tenantId}) || ' days')`
      )
    )
}

/** After a delivery was given up on: the backlog behind it moves on. */
export async function releaseAfterGivingUp(db: Database, queue: Queue, deliveryId: string) {
  const row = await db
    .select({ endpointId: webhookEndpoints.id, heldSince: webhookEndpoints.heldSince })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .get()
  if (row?.heldSince) await releaseNextHeld(db, queue, row.endpointId, new Date().toISOString())
}
