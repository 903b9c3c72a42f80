/**
 * An operator's replay of one hub delivery: the same body under the same `webhook-id`, sent
 * again whatever its state. The row becomes `pending` (compare-and-set on the state it had) and
 * goes to the queue; if the queue send fails, the row goes back to the state it had, so a
 * failed replay never leaves it `pending` for good (no sweep would ever pick it up again).
 */
import { and, eq } from 'drizzle-orm'
import { type Database, nowIso } from '../db/client'
import { webhookDeliveries } from '../db/schema'
import { type Statement, writeBatch } from '../db/write-batch'
import type { DispatchMessage } from '../queue/messages'

export async function replayHubDelivery(
  db: Database,
  queue: Queue<DispatchMessage>,
  delivery: { id: string; state: string; updatedAt: string },
  /** Written in the same batch as the state change (the audit row of who replayed it). */
  along: Statement[] = []
) {
  const replayedAt = nowIso()
  await writeBatch(db, [
    db
      .update(webhookDeliveries)
      .set({ state: 'pending', updatedAt: replayedAt })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.state, delivery.state))),
    ...along,
  ])
  try {
    await queue.send({ type: 'hub-delivery', deliveryId: delivery.id })
  } catch (error) {
    await db
      .update(webhookDeliveries)
      .set({ state: delivery.state, updatedAt: delivery.updatedAt })
      .where(
        and(
          eq(webhookDeliveries.id, delivery.id),
          eq(webhookDeliveries.state, 'pending'),
          eq(webhookDeliveries.updatedAt, replayedAt)
        )
      )
    throw error
  }
}
