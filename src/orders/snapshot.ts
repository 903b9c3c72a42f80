/** The compact view of an order that connectors get for write-back and after-import hooks. */
import { asc, eq } from 'drizzle-orm'
import type { OrderSnapshot } from '../connectors/types'
import type { OrderStatus, Tracking } from '../core/model'
import type { Database } from '../db/client'
import { orderLines, orders } from '../db/schema'

export async function orderSnapshot(
  db: Database,
  orderId: string
): Promise<(OrderSnapshot & { tenantId: string; connectionId: string }) | null> {
  const [orderRows, lineRows] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.position)),
  ])
  const order = orderRows[0]
  if (!order) return null
  return {
    id: order.id,
    tenantId: order.tenantId,
    connectionId: order.connectionId,
    externalId: order.externalId,
    number: order.number,
    status: order.status as OrderStatus,
    platformStatus: order.platformStatus,
    writtenOff: order.writtenOff,
    tracking: order.tracking as Tracking[],
    lines: lineRows.map((line) => ({ externalId: line.externalId, sku: line.sku, quantity: line.quantity })),
  }
}
