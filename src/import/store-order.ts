/**
 * Carries out an order import decision in one D1 batch (one transaction): customer, categories,
 * products, the order with its lines, events, the import-log line and hub events land together or
 * not at all. Derived ids and ON CONFLICT clauses make a repeat, or a concurrent twin, converge on
 * one row; the order statement itself is the compare-and-set on the revision the plan was made
 * from. A new order with a new customer and new products is five statements, at any line count
 * (six with the importer's read of the page). The statements are built in order-statements.ts;
 * this file puts them in the order they must run.
 */
import { derivedId } from '../core/ids'
import type { IncomingOrder, OrderStatus } from '../core/model'
import { isSourceCancelled } from '../core/order-status'
import { type Database, nowIso } from '../db/client'
import { hubEventsStatement } from '../hub/emit'
import { customerStatements } from './customer-statements'
import type { ProductMatch } from './match-keys'
import { type OrderBatch, orderBatch } from './order-batch'
import type { PlannedEvent } from './order-plan'
import {
  changedHandoversSelect,
  eventHubEvents,
  handoversToCancelUpdate,
  importHubEvents,
  importKey,
  importLogInsert,
  lineCatalogueInserts,
  newHandoversInsert,
  orderLines,
  orderRevisionGuard,
  orderUpsert,
  platformEventsInsert,
  platformStatusUpdate,
} from './order-statements'
import { productRows } from './product-rows'

export type ImportScope = {
  tenantId: string
  connectionId: string
  platform: string
  productMatch: ProductMatch
  /** See ImportPolicy.rejectsDuplicateProductCodes. */
  rejectsDuplicateProductCodes?: string
}

export async function orderId(connectionId: string, externalId: string) {
  return derivedId('ord', connectionId, externalId)
}

export type OrderWrite = {
  scope: ImportScope
  incoming: IncomingOrder
  orderId: string
  contentHash: string
  status: OrderStatus
  events: PlannedEvent[]
  result: 'created' | 'updated'
  /** The revision the plan was made from; null for a new order. The write happens only if it is still current. */
  expectedRevision: number | null
  /** Destination connection ids a new order is handed to (the connection's routes). */
  routes: string[]
  /** Why, when it is worth saying (e.g. a poll found an order no webhook brought). */
  reason?: string
}

/** Builds every statement of one order import; the caller runs them as one batch. */
export async function orderWriteStatements(db: Database, write: OrderWrite): Promise<OrderBatch> {
  const { scope, incoming, orderId } = write
  const at = nowIso()
  const key = importKey(orderId, (write.expectedRevision ?? -1) + 1)
  const customer = await customerStatements(
    db,
    scope,
    incoming.customer,
    `order:${orderId}`,
    incoming.billingAddress?.countryCode ?? incoming.shippingAddress?.countryCode
  )
  const lineProducts = await Promise.all(incoming.lines.map((line) => productRows(scope, line.product)))

  const { batch, add, addReturning } = orderBatch()
  add(...customer.statements, ...lineCatalogueInserts(db, lineProducts))
  add(
    orderUpsert(db, {
      ...write,
      customerId: customer.customerId,
      lines: orderLines(orderId, incoming, lineProducts),
      at,
    })
  )
  if (write.events.length) add(platformEventsInsert(db, scope.tenantId, { ...write, key }, at))
  add(
    importLogInsert(db, scope, {
      externalId: incoming.externalId,
      result: write.result,
      reason: write.reason ?? null,
      at,
    })
  )
  addReturning(
    'hubDeliveries',
    hubEventsStatement(db, {
      tenantId: scope.tenantId,
      orderId,
      events: importHubEvents(write.result, write.events, key),
      at,
    })
  )
  if (write.result === 'created' && write.routes.length) {
    const created = await newHandoversInsert(db, { tenantId: scope.tenantId, orderId, routes: write.routes, at })
    batch.handoverIds.push(...created.ids)
    add(created.statement)
  }
  if (write.result === 'updated') {
    if (isSourceCancelled(write.status)) addReturning('handoversToCancel', handoversToCancelUpdate(db, orderId, at))
    else addReturning('changedHandovers', changedHandoversSelect(db, orderId))
  }
  return batch
}

/** A platform report that changes only the order's events and platform status (a refused cancellation). */
export async function eventOnlyStatements(
  db: Database,
  write: {
    scope: ImportScope
    incoming: IncomingOrder
    orderId: string
    /** Stored so that reading the same platform content again finds it unchanged (issue 16, finding 4). */
    contentHash: string
    events: PlannedEvent[]
    expectedRevision: number
  }
): Promise<OrderBatch> {
  const { scope, orderId } = write
  const at = nowIso()
  const key = importKey(orderId, write.expectedRevision + 1)
  const { batch, add, addReturning } = orderBatch()
  add(
    orderRevisionGuard(db, orderId, write.expectedRevision),
    platformStatusUpdate(db, {
      orderId,
      platformStatus: write.incoming.platformStatus,
      contentHash: write.contentHash,
      at,
    }),
    platformEventsInsert(db, scope.tenantId, { ...write, key }, at),
    importLogInsert(db, scope, {
      externalId: write.incoming.externalId,
      result: 'updated',
      reason: write.events.map((event) => event.message).join('; '),
      at,
    })
  )
  addReturning(
    'hubDeliveries',
    hubEventsStatement(db, { tenantId: scope.tenantId, orderId, events: eventHubEvents(write.events, key), at })
  )
  return batch
}
