/**
 * Carries out an order import decision in one D1 batch (one transaction): customer, categories,
 * products, the order with its lines, events, the import-log line and hub events land together or
 * not at all. Derived ids and ON CONFLICT clauses make a repeat, or a concurrent twin, converge on
 * one row; the order statement itself is the compare-and-set on the revision the plan was made
 * from. A new order with a new customer and new products is five statements, at any line count
 * (six with the importer's read of the page).
 */
import { type SQL, sql } from 'drizzle-orm'
import { derivedId } from '../core/ids'
import type { IncomingCustomer, IncomingOrder, IncomingProduct, OrderStatus } from '../core/model'
import { type Database, nowIso } from '../db/client'
import {
  categories,
  customers,
  handovers,
  importLog,
  type OrderLine,
  orderEvents,
  orders,
  products,
} from '../db/schema'
import { randomId } from '../core/ids'
import { insertRowsIgnoringConflicts } from '../db/insert-rows'
import { guardStatement, orderRevisionCompareAndSet } from '../db/write-guard'
import { writeBatch } from '../db/write-batch'
import { type HubEvent, hubEventsStatement } from '../hub/emit'
import { isSourceCancelled } from '../core/order-status'
import { categoryKey, customerKeys, type ProductMatch, productMatchKey } from './match-keys'
import type { PlannedEvent } from './order-plan'

/** Anything writeBatch can compile. */
export type Statement = Parameters<typeof writeBatch>[1][number]

export type ImportScope = {
  tenantId: string
  connectionId: string
  platform: string
  productMatch: ProductMatch
  /** See ImportPolicy.rejectsDuplicateProductCodes. */
  rejectsDuplicateProductCodes?: string
}

export type ProductRow = typeof products.$inferInsert

/** P1, P3, P4, P5: the catalogue rows for a product, with derived ids. */
export async function productRows(scope: ImportScope, product: IncomingProduct) {
  const id = await derivedId('prd', scope.tenantId, productMatchKey(product, scope.productMatch, scope.connectionId))
  const categoryName = product.category?.name ? categoryKey(product.category.name) : null
  const categoryId = categoryName ? await derivedId('cat', scope.tenantId, categoryName) : null
  const row: ProductRow = {
    id,
    tenantId: scope.tenantId,
    name: product.name,
    description: product.description,
    sku: product.sku,
    ean: product.ean,
    code: product.code,
    unit: 'piece',
    categoryId,
    dimensions: product.dimensions,
    type: product.type,
    components: product.components,
    updatedAt: nowIso(),
  }
  const category = categoryName && categoryId ? { id: categoryId, tenantId: scope.tenantId, name: categoryName } : null
  return { row, category }
}

/**
 * The customer id a C3 match would give: an existing contact with that phone or email, else a new
 * id. Two index lookups joined by UNION ALL: SQLite does not split `tenant_id = ? and (phone_key
 * = ? or email_key = ?)` over both indexes and would read every customer of the tenant instead.
 * A null key matches nothing (`= null` is never true).
 */
export function matchedCustomerId(
  tenantId: string,
  keys: { phone: string | null; email: string | null },
  fallbackId: string
): SQL {
  return sql`coalesce((select id from (
      select ${customers.id} as id, ${customers.createdAt} as created_at from ${customers}
        where ${customers.tenantId} = ${tenantId} and ${customers.phoneKey} = ${keys.phone}
      union all
      select ${customers.id}, ${customers.createdAt} from ${customers}
        where ${customers.tenantId} = ${tenantId} and ${customers.emailKey} = ${keys.email})
    order by created_at, id limit 1), ${fallbackId})`
}

/** C1–C3, SH6: the statements that make sure the order's customer exists, and its id as SQL. */
export async function customerStatements(
  db: Database,
  scope: ImportScope,
  customer: IncomingCustomer | null,
  /** Identifies a contact with neither phone, email nor platform id (e.g. the order it came with). */
  fallbackIdentity: string,
  /** The order's address country, for phones written without +country (C3). */
  countryCode?: string | null
) {
  const keys = customerKeys(customer, countryCode)
  if (!customer || (!keys.phone && !keys.email && !customer.firstName && !customer.lastName)) {
    // SH6: no customer data at all → the tenant's single "not specified" customer.
    const id = await derivedId('cus', scope.tenantId, 'not-specified')
    const insert = db
      .insert(customers)
      .values({ id, tenantId: scope.tenantId, firstName: 'Not specified', notSpecified: true, updatedAt: nowIso() })
      .onConflictDoNothing()
    return { statements: [insert], customerId: sql`${id}` }
  }
  const identity = keys.phone
    ? `phone:${keys.phone}`
    : keys.email
      ? `email:${keys.email}`
      : customer.externalId
        ? `ext:${scope.connectionId}:${customer.externalId}`
        : fallbackIdentity
  const newId = await derivedId('cus', scope.tenantId, identity)
  const customerId = keys.phone || keys.email ? matchedCustomerId(scope.tenantId, keys, newId) : sql`${newId}`
  const values = {
    id: newId,
    tenantId: scope.tenantId,
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    phoneKey: keys.phone,
    emailKey: keys.email,
    address: customer.address,
    updatedAt: nowIso(),
  }
  const insert = db.run(sql`insert into ${customers}
    (id, tenant_id, first_name, last_name, email, phone, phone_key, email_key, address, not_specified, updated_at)
    select ${values.id}, ${values.tenantId}, ${values.firstName}, ${values.lastName}, ${values.email}, ${values.phone},
      ${values.phoneKey}, ${values.emailKey}, ${JSON.stringify(values.address)}, 0, ${values.updatedAt}
    where ${customerId} = ${newId}
    on conflict do nothing`)
  return { statements: [insert], customerId }
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

/** Which statements of an order batch return ids the caller must queue. */
export type OrderBatch = {
  statements: Statement[]
  /** Index of the statement returning new hub webhook delivery ids. */
  hubEventsAt: number | null
  /** Index of the statement returning hand-overs to cancel, when the platform cancelled. */
  cancelAt: number | null
  /** Index of the statement returning hand-overs a platform change must be sent on to. */
  changedAt: number | null
  /** Hand-overs this import creates (one per route). */
  handoverIds: string[]
}

/** The guard that makes an event-only batch a compare-and-set on the order's revision. */
function orderGuard(db: Database, orderId: string, expectedRevision: number) {
  return guardStatement(
    db,
    sql`exists (select 1 from ${orders} where ${orders.id} = ${orderId} and ${orders.revision} = ${expectedRevision})`
  )
}

export async function handoverId(orderId: string, destinationId: string) {
  return derivedId('hov', orderId, destinationId)
}

/** Hub events and hand-over changes that go with an order change, in the same batch. */
async function followUps(
  db: Database,
  batch: OrderBatch,
  write: { scope: ImportScope; orderId: string; events: PlannedEvent[]; at: string; key: string },
  kind: { result: 'created' | 'updated'; routes: string[]; cancelling: boolean }
) {
  const { scope, orderId, at, key } = write
  const events: HubEvent[] = [
    { type: kind.result === 'created' ? 'order.imported' : 'order.updated', eventKey: key },
    ...write.events.map((event, index) => ({ type: `order.${event.type}`, eventKey: `${key}:${index}` })),
  ]
  batch.hubEventsAt = batch.statements.length
  batch.statements.push(hubEventsStatement(db, { tenantId: scope.tenantId, orderId, events, at }))

  if (kind.result === 'created' && kind.routes.length) {
    const rows = await Promise.all(
      kind.routes.map(async (destinationId) => ({
        id: await handoverId(orderId, destinationId),
        tenantId: scope.tenantId,
        orderId,
        destinationId,
        state: 'pending',
        createdAt: at,
        updatedAt: at,
      }))
    )
    batch.handoverIds.push(...rows.map((row) => row.id))
    batch.statements.push(insertRowsIgnoringConflicts(db, handovers, rows))
  }
  if (kind.result === 'updated' && !kind.cancelling) {
    batch.changedAt = batch.statements.length
    batch.statements.push(
      db
        .select({ id: handovers.id })
        .from(handovers)
        // A failed hand-over runs again: the change may be the fix (issue 16, finding 2).
        .where(sql`${handovers.orderId} = ${orderId} and ${handovers.state} in ('sent', 'confirmed', 'failed')`)
    )
  }
  if (kind.cancelling) {
    batch.cancelAt = batch.statements.length
    batch.statements.push(
      db
        .update(handovers)
        .set({ state: 'cancel_requested', updatedAt: at })
        .where(sql`${handovers.orderId} = ${orderId} and ${handovers.state} in ('pending', 'sent', 'confirmed')`)
        .returning({ id: handovers.id })
    )
  }
}

/** Builds every statement of one order import; the caller runs them as one batch. */
export async function orderWriteStatements(db: Database, write: OrderWrite): Promise<OrderBatch> {
  const { scope, incoming } = write
  const now = nowIso()
  const key = importKey(write.orderId, (write.expectedRevision ?? -1) + 1)
  const customer = await customerStatements(
    db,
    scope,
    incoming.customer,
    `order:${write.orderId}`,
    incoming.billingAddress?.countryCode ?? incoming.shippingAddress?.countryCode
  )
  const lineProducts = await Promise.all(incoming.lines.map((line) => productRows(scope, line.product)))
  const statements: Statement[] = [...customer.statements]

  const categoryRows = uniqueBy(
    lineProducts.flatMap((product) => (product.category ? [product.category] : [])),
    (row) => row.id
  )
  if (categoryRows.length) statements.push(insertRowsIgnoringConflicts(db, categories, categoryRows))
  const productRowsToInsert = uniqueBy(
    lineProducts.map((product) => product.row),
    (row) => row.id
  )
  if (productRowsToInsert.length) statements.push(insertRowsIgnoringConflicts(db, products, productRowsToInsert))

  // P6, P7: lines replace the previous ones (quantities follow the platform until written off).
  const lines: OrderLine[] = incoming.lines.map((line, position) => ({
    id: `${write.orderId}:${position}`,
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
  const revision = orderRevisionCompareAndSet(write.expectedRevision)
  const orderValues = {
    id: write.orderId,
    tenantId: scope.tenantId,
    connectionId: scope.connectionId,
    platform: scope.platform,
    externalId: incoming.externalId,
    number: incoming.number,
    createdAt: incoming.createdAt,
    updatedAt: incoming.updatedAt,
    currency: incoming.currency,
    status: write.status,
    platformStatus: incoming.platformStatus,
    total: incoming.total,
    shippingCost: incoming.shippingCost,
    customerId: customer.customerId,
    customerExternalId: incoming.customer?.externalId ?? null,
    billingAddress: incoming.billingAddress,
    shippingAddress: incoming.shippingAddress,
    delivery: incoming.delivery,
    tracking: incoming.tracking,
    paymentMethod: incoming.paymentMethod ?? null,
    lines,
    contentHash: write.contentHash,
    revision: revision.inserted,
    importedAt: now,
    changedAt: now,
  }
  // A compare-and-set: the status planned from revision N is written only while the order is
  // still at revision N (an order event in between bumps it); otherwise the batch fails.
  statements.push(
    db
      .insert(orders)
      .values(orderValues as unknown as typeof orders.$inferInsert)
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
  )

  if (write.events.length) {
    statements.push(platformEventsInsert(db, scope.tenantId, { ...write, key }, now))
  }
  statements.push(
    db.insert(importLog).values({
      id: randomId('log'),
      tenantId: scope.tenantId,
      connectionId: scope.connectionId,
      kind: 'order',
      externalId: incoming.externalId,
      result: write.result,
      reason: write.reason ?? null,
      at: now,
    })
  )
  const batch: OrderBatch = { statements, hubEventsAt: null, cancelAt: null, changedAt: null, handoverIds: [] }
  await followUps(
    db,
    batch,
    { ...write, at: now, key },
    {
      result: write.result,
      routes: write.routes,
      cancelling: isSourceCancelled(write.status) && write.result === 'updated',
    }
  )
  return batch
}

/**
 * What an import's events and hub events are keyed by: the order revision the batch writes. The
 * compare-and-set lets one batch per revision through, so a replanned import adds nothing twice,
 * and a later change back to old content still reports.
 */
function importKey(orderId: string, revision: number) {
  return `import:${orderId}:r${revision}`
}

/** The events an import adds, keyed by the import's revision. */
function platformEventsInsert(
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
  const now = nowIso()
  const key = importKey(write.orderId, write.expectedRevision + 1)
  const batch: OrderBatch = {
    statements: [
      orderGuard(db, write.orderId, write.expectedRevision),
      db
        .update(orders)
        .set({
          platformStatus: write.incoming.platformStatus,
          contentHash: write.contentHash,
          changedAt: now,
          revision: sql`${orders.revision} + 1`,
        })
        .where(sql`${orders.id} = ${write.orderId}`),
      platformEventsInsert(db, write.scope.tenantId, { ...write, key }, now),
      db.insert(importLog).values({
        id: randomId('log'),
        tenantId: write.scope.tenantId,
        connectionId: write.scope.connectionId,
        kind: 'order',
        externalId: write.incoming.externalId,
        result: 'updated',
        reason: write.events.map((event) => event.message).join('; '),
        at: now,
      }),
    ],
    hubEventsAt: null,
    cancelAt: null,
    changedAt: null,
    handoverIds: [],
  }
  batch.hubEventsAt = batch.statements.length
  batch.statements.push(
    hubEventsStatement(db, {
      tenantId: write.scope.tenantId,
      orderId: write.orderId,
      events: write.events.map((event, index) => ({
        type: `order.${event.type}`,
        eventKey: `${key}:${index}`,
      })),
      at: now,
    })
  )
  return batch
}

function uniqueBy<T>(rows: T[], key: (row: T) => string): T[] {
  const seen = new Map<string, T>()
  for (const row of rows) if (!seen.has(key(row))) seen.set(key(row), row)
  return [...seen.values()]
}
