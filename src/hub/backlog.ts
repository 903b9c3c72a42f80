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

type DeliveryKey = { id: string; endpointId: string; createdAt: string }
type EndpointState = { disabledAt: string | null; heldSince: string | null }

/** Whether the delivery must wait: its endpoint is disabled, or an older delivery of it is held. */
export async function mustWait(db: Database, endpoint: EndpointState, delivery: DeliveryKey): Promise<boolean> {
  if (endpoint.disabledAt) return true
  if (!endpoint.heldSince) return false
  const older = await db.all(sql`select 1 from ${webhookDeliveries} as older
    where older.endpoint_id = ${delivery.endpointId} and older.state = 'held' and (older.created_at < ${delivery.createdAt}
      or (older.created_at = ${delivery.createdAt} and older.id < ${delivery.id}))
    limit 1`)
  return older.length > 0
}

/** With a delivery's release as `held`: its endpoint has a backlog from now on. */
export function holdStatement(db: Database, delivery: DeliveryKey) {
  return db.run(sql`update ${webhookEndpoints} set held_since = coalesce(held_since, ${new Date().toISOString()})
    where id = ${delivery.endpointId}`)
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

/**
 * The cron's safety net: an enabled endpoint with a backlog and nothing of it on its way for 5
 * minutes (a release lost between a batch and the queue send) gets its next delivery released.
 */
export async function releaseStalledBacklogs(db: Database, queue: Queue, now: Date, limit = 20) {
  const quietSince = new Date(now.getTime() - 5 * 60_000).toISOString()
  const stalled = await db.all<{ id: string }>(sql`select id from ${webhookEndpoints}
    where held_since is not null and held_since < ${quietSince} and disabled_at is null and deleted_at is null
      and not exists (select 1 from ${webhookDeliveries} where endpoint_id = ${webhookEndpoints.id}
        and state = 'pending' and updated_at > ${quietSince})
    limit ${limit}`)
  for (const { id } of stalled) await releaseNextHeld(db, queue, id, now.toISOString())
}
