/**
 * Orders as the API shows them (SPEC §4): the order with its lines, customer, events and
 * tracking, always filtered by tenant so another tenant's id reads as not found (G2).
 */
import { and, asc, desc, eq, gt, lt, or, type SQL } from 'drizzle-orm'
import type { Database } from '../db/client'
import { encodeCursor } from '../db/keyset'
import { customers, orderEvents, orders } from '../db/schema'
import { returnDetails } from '../core/returns'
import { returnedQuantities } from '../returns/returned-lines'
import { orderTextMatch } from '../read-models/order-list'
import {
  handoverStateSql,
  type IntegrationStateFilter,
  integrationStateMatch,
  writeBackStateSql,
} from './integration-state'

type OrderRow = typeof orders.$inferSelect

/** An order event as the API shows it (in the order, and in a hub webhook's `data.event`). */
export function eventSummary(event: typeof orderEvents.$inferSelect) {
  return {
    id: event.id,
    type: event.type,
    at: event.at,
    message: event.message,
    data: event.data,
    source: event.source,
  }
}

export function orderSummary(order: OrderRow) {
  return {
    id: order.id,
    tenantId: order.tenantId,
    connectionId: order.connectionId,
    platform: order.platform,
    externalId: order.externalId,
    number: order.number,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    /** When the hub's copy last changed (the list's order and "Last change"). */
    changedAt: order.changedAt,
    currency: order.currency,
    status: order.status,
    platformStatus: order.platformStatus,
    writtenOff: order.writtenOff,
    total: order.total,
    shippingCost: order.shippingCost,
    customerId: order.customerId,
    billingAddress: order.billingAddress,
    shippingAddress: order.shippingAddress,
    delivery: order.delivery,
    tracking: order.tracking,
  }
}

export async function readOrder(db: Database, tenantId: string, orderId: string) {
  const [orderRows, eventRows] = await db.batch([
    db
      .select()
      .from(orders)
      .where(and(eq(orders.id, orderId), eq(orders.tenantId, tenantId))),
    db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.tenantId, tenantId)))
      .orderBy(asc(orderEvents.at), asc(orderEvents.id)),
  ])
  const order = orderRows[0]
  if (!order) return null
  const customer = order.customerId
    ? await db
        .select()
        .from(customers)
        .where(and(eq(customers.id, order.customerId), eq(customers.tenantId, tenantId)))
        .get()
    : undefined
  const returned = returnedQuantities(
    order.lines,
    eventRows
      .filter((event) => event.type === 'returned')
      .map((event) => returnDetails(event.data as Record<string, unknown> | null).lines)
  )
  return {
    ...orderSummary(order),
    lines: order.lines.map((line) => ({
      id: line.id,
      productId: line.productId,
      sku: line.sku,
      code: line.code,
      name: line.name,
      quantity: line.quantity,
      // What is left after refunds or removals, where the platform says (Shopify); null: all of it.
      currentQuantity: line.currentQuantity ?? null,
      unitPrice: line.unitPrice,
      total: line.total,
      // How many came back from the warehouse (RT1); the order is `returned` once every line is.
      returnedQuantity: returned.get(line.id) ?? 0,
    })),
    customer: customer
      ? {
          id: customer.id,
          firstName: customer.firstName,
          lastName: customer.lastName,
          email: customer.email,
          phone: customer.phone,
          address: customer.address,
          notSpecified: customer.notSpecified,
        }
      : null,
    events: eventRows.map(eventSummary),
  }
}

export async function listOrders(
  db: Database,
  tenantId: string,
  query: {
    connectionId?: string
    status?: string
    q?: string
    updatedSince?: string
    cursor?: [string, string] | null
    limit: number
  } & IntegrationStateFilter
) {
  const filters: (SQL | undefined)[] = [eq(orders.tenantId, tenantId)]
  if (query.connectionId) filters.push(eq(orders.connectionId, query.connectionId))
  if (query.status) filters.push(eq(orders.status, query.status))
  if (query.q) filters.push(orderTextMatch(query.q))
  if (query.updatedSince) filters.push(gt(orders.changedAt, query.updatedSince))
  filters.push(...integrationStateMatch(query))
  if (query.cursor) {
    const [changedAt, id] = query.cursor
    filters.push(or(lt(orders.changedAt, changedAt), and(eq(orders.changedAt, changedAt), lt(orders.id, id))))
  }
  const rows = await db
    .select({ order: orders, handoverState: handoverStateSql, writeBackState: writeBackStateSql })
    .from(orders)
    .where(and(...filters))
    .orderBy(desc(orders.changedAt), desc(orders.id))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const last = page[page.length - 1]?.order
  return {
    items: page.map(({ order, handoverState, writeBackState }) => ({
      ...orderSummary(order),
      handoverState,
      writeBackState,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.changedAt, last.id) : null,
  }
}
