/** The compact view of an order that connectors get for write-back and after-import hooks. */
import { eq } from 'drizzle-orm'
import type { HandoverState, OrderSnapshot, OrderStatus, Tracking } from '../core/model'
import type { Database } from '../db/client'
import { handovers, orders } from '../db/schema'

export async function orderSnapshot(
  db: Database,
  orderId: string
): Promise<(OrderSnapshot & { tenantId: string; connectionId: string }) | null> {
  const [orderRows, handoverRows] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db
      .select({ destinationId: handovers.destinationId, state: handovers.state, reference: handovers.reference })
      .from(handovers)
      .where(eq(handovers.orderId, orderId)),
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
    lines: order.lines.map((line) => ({ externalId: line.externalId, sku: line.sku, quantity: line.quantity })),
    handovers: handoverRows.map((row) => ({ ...row, state: row.state as HandoverState })),
  }
}
