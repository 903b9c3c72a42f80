/**
 * The statements one order import is made of, one builder each, so that a batch reads as what it
 * writes: the catalogue rows of its lines, the order itself (the compare-and-set on its revision),
 * its events, its import-log line, its hub events and its hand-overs. Nothing here runs a
 * statement; store-order.ts puts them together in the order they must run.
 */
import { type SQL, sql } from 'drizzle-orm'
import { derivedId, randomId } from '../core/ids'
import type { IncomingOrder, OrderStatus } from '../core/model'
import type { Database } from '../db/client'
import { categories, handovers, importLog, type OrderLine, orderEvents, orders, products } from '../db/schema'
import { insertRowsIgnoringConflicts } from '../db/insert-rows'
import { guardStatement, orderRevisionCompareAndSet } from '../db/write-guard'
import type { HubEvent } from '../hub/emit'
import type { PlannedEvent } from './order-plan'
import type { productRows } from './product-rows'

type LineProduct = Awaited<ReturnType<typeof productRows>>

/**
 * What an import's events and hub events are keyed by: the order revision the batch writes. The
 * compare-and-set lets one batch per revision through, so a replanned import adds nothing twice,
 * and a later change back to old content still reports.
 */
export function importKey(orderId: string, revision: number) {
  return `import:${orderId}:r${revision}`
}

async function handoverId(orderId: string, destinationId: string) {
  return derivedId('hov', orderId, destinationId)
}

/** The categories and products of an order's lines, each once (0–2 statements). */
export function lineCatalogueInserts(db: Database, lineProducts: LineProduct[]) {
  const categoryRows = uniqueBy(
    lineProducts.flatMap((product) => (product.category ? [product.category] : [])),
    (row) => row.id
  )
  const productRowsToInsert = uniqueBy(
    lineProducts.map((product) => product.row),
    (row) => row.id
  )
  return [
    ...(categoryRows.length ? [insertRowsIgnoringConflicts(db, categories, categoryRows)] : []),
    ...(productRowsToInsert.length ? [insertRowsIgnoringConflicts(db, products, productRowsToInsert)] : []),
  ]
}

/** P6, P7: the order's lines, replacing the previous ones (quantities follow the platform until written off). */
export function orderLines(orderId: string, incoming: IncomingOrder, lineProducts: LineProduct[]): OrderLine[] {
  return incoming.lines.map((line, position) => ({
    id: `${orderId}:${position}`,
    externalId: line.externalId,
    productId: lineProducts[position].row.id,
    sku: line.product.sku,
    code: line.product.code,
    name: line.product.name,
    quantity: line.quantity,
    currentQuantity: line.currentQuantity ?? null,
    unitPrice: line.unitPrice,
    total: line.total,
  }))
}

/**
 * The order row, inserted or updated. A compare-and-set: the status planned from revision N is
 * written only while the order is still at revision N (an order event in between bumps it);
 * otherwise the batch fails.
 */
export function orderUpsert(
  db: Database,
  order: {
    scope: { tenantId: string; connectionId: string; platform: string }
    incoming: IncomingOrder
    orderId: string
    contentHash: string
    status: OrderStatus
    expectedRevision: number | null
    customerId: SQL
    lines: OrderLine[]
    at: string
  }
) {
  const { scope, incoming, at } = order
  const revision = orderRevisionCompareAndSet(order.expectedRevision)
  const values = {
    id: order.orderId,
    tenantId: scope.tenantId,
    connectionId: scope.connectionId,
    platform: scope.platform,
    externalId: incoming.externalId,
    number: incoming.number,
    createdAt: incoming.createdAt,
    updatedAt: incoming.updatedAt,
    currency: incoming.currency,
    status: order.status,
    platformStatus: incoming.platformStatus,
    total: incoming.total,
    shippingCost: incoming.shippingCost,
    customerId: order.customerId,
    customerExternalId: incoming.customer?.externalId ?? null,
    billingAddress: incoming.billingAddress,
    shippingAddress: incoming.shippingAddress,
    delivery: incoming.delivery,
    tracking: incoming.tracking,
    paymentMethod: incoming.paymentMethod ?? null,
    lines: order.lines,
    contentHash: order.contentHash,
    revision: revision.inserted,
    importedAt: at,
    changedAt: at,
  }
  return db
    .insert(orders)
    .values(values as unknown as typeof orders.$inferInsert)
    .onConflictDoUpdate({
      target: orders.id,
      set: {
        number: sql`excluded.number`,
        updatedAt: sql`excluded.updated_at`,
        status: sql`excluded.status`,
        platformStatus: sql`excluded.platform_status`,
        total: sql`excluded.total`,
        shippingCost: sql`excluded.shipping_cost`,
        customerId: sql`excluded.customer_id`,
        customerExternalId: sql`excluded.customer_external_id`,
        billingAddress: sql`excluded.billing_address`,
        shippingAddress: sql`excluded.shipping_address`,
        delivery: sql`excluded.delivery`,
        paymentMethod: sql`excluded.payment_method`,
        lines: sql`excluded.lines`,
        contentHash: sql`excluded.content_hash`,
        changedAt: sql`excluded.changed_at`,
        revision: revision.updated,
      },
    })
}

/** The guard that makes an event-only batch a compare-and-set on the order's revision. */
export function orderRevisionGuard(db: Database, orderId: string, expectedRevision: number) {
  return guardStatement(
    db,
    sql`exists (select 1 from ${orders} where ${orders.id} = ${orderId} and ${orders.revision} = ${expectedRevision})`
  )
}

/** An event-only import keeps the order's content; it stores the platform status and the content hash. */
export function platformStatusUpdate(
  db: Database,
  order: { orderId: string; platformStatus: string | null; contentHash: string; at: string }
) {
  return db
    .update(orders)
    .set({
      platformStatus: order.platformStatus,
      contentHash: order.contentHash,
      changedAt: order.at,
      revision: sql`${orders.revision} + 1`,
    })
    .where(sql`${orders.id} = ${order.orderId}`)
}

/** The events an import adds, keyed by the import's revision. */
export function platformEventsInsert(
  db: Database,
  tenantId: string,
  write: { orderId: string; events: PlannedEvent[]; key: string },
  at: string
) {
  return db
    .insert(orderEvents)
    .values(
      write.events.map((event, index) => ({
        id: randomId('evt'),
        tenantId,
        orderId: write.orderId,
        type: event.type,
        at,
        message: event.message,
        data: event.data,
        source: 'platform',
        idempotencyKey: `${write.key}:${index}`,
      }))
    )
    .onConflictDoNothing()
}

/** The import-log line of an order that was written. */
export function importLogInsert(
  db: Database,
  scope: { tenantId: string; connectionId: string },
  line: { externalId: string; result: 'created' | 'updated'; reason: string | null; at: string }
) {
  return db.insert(importLog).values({
    id: randomId('log'),
    tenantId: scope.tenantId,
    connectionId: scope.connectionId,
    kind: 'order',
    externalId: line.externalId,
    result: line.result,
    reason: line.reason,
    at: line.at,
  })
}

/** The hub events of an import: `order.imported` or `order.updated`, then one per planned event. */
export function importHubEvents(result: 'created' | 'updated', events: PlannedEvent[], key: string): HubEvent[] {
  return [
    { type: result === 'created' ? 'order.imported' : 'order.updated', eventKey: key },
    ...eventHubEvents(events, key),
  ]
}

/** One hub event per planned event, keyed as the event is. */
export function eventHubEvents(events: PlannedEvent[], key: string): HubEvent[] {
  return events.map((event, index) => ({ type: `order.${event.type}`, eventKey: `${key}:${index}` }))
}

/** A new order's hand-overs, one `pending` row per route, and their ids. */
export async function newHandoversInsert(
  db: Database,
  order: { tenantId: string; orderId: string; routes: string[]; at: string }
) {
  const rows = await Promise.all(
    order.routes.map(async (destinationId) => ({
      id: await handoverId(order.orderId, destinationId),
      tenantId: order.tenantId,
      orderId: order.orderId,
      destinationId,
      state: 'pending',
      createdAt: order.at,
      updatedAt: order.at,
    }))
  )
  return { statement: insertRowsIgnoringConflicts(db, handovers, rows), ids: rows.map((row) => row.id) }
}

/** The hand-overs a platform change must be sent on to (returns their ids). */
export function changedHandoversSelect(db: Database, orderId: string) {
  return (
    db
      .select({ id: handovers.id })
      .from(handovers)
      // A failed hand-over runs again: the change may be the fix (issue 16, finding 2).
      .where(sql`${handovers.orderId} = ${orderId} and ${handovers.state} in ('sent', 'confirmed', 'failed')`)
  )
}

/** The source cancelled: the open hand-overs become cancellation requests (returns their ids). */
export function handoversToCancelUpdate(db: Database, orderId: string, at: string) {
  return db
    .update(handovers)
    .set({ state: 'cancel_requested', updatedAt: at })
    .where(sql`${handovers.orderId} = ${orderId} and ${handovers.state} in ('pending', 'sent', 'confirmed')`)
    .returning({ id: handovers.id })
}

function uniqueBy<T>(rows: T[], key: (row: T) => string): T[] {
  const seen = new Map<string, T>()
  for (const row of rows) if (!seen.has(key(row))) seen.set(key(row), row)
  return [...seen.values()]
}
