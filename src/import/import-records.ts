/**
 * The import use case: what a connector produced (ImportRecord[]) goes through the rules and
 * into the hub. One read for all orders of a page, then the orders that changed in one transaction
 * (up to ORDERS_PER_BATCH orders each): a page of 250 new orders costs 2 round trips, an unchanged
 * page one. A transaction that fails wrote nothing; its orders are then written one by one, each
 * planned again when another writer got there first.
 */
import { sql } from 'drizzle-orm'
import { randomId } from '../core/ids'
import type {
  Delivery,
  ImportKind,
  ImportNote,
  ImportRecord,
  ImportResult,
  IncomingOrder,
  OrderStatus,
} from '../core/model'
import { logger } from '../core/logger'
import { isSourceCancelled } from '../core/order-status'
import { type Database, nowIso } from '../db/client'
import { importLog, orders } from '../db/schema'
import { isGuardFailure, StaleSnapshotError } from '../db/write-guard'
import { writeBatch } from '../db/write-batch'
import type { ImportPolicy } from '../core/import-policy'
import type { ProductMatch } from './match-keys'
import { applyPrivacyRequest } from './privacy'
import { type ExistingOrder, type InitialStatusSetting, planOrderImport } from './order-plan'
import { matchesStored, orderContentHash } from './content-hash'
import { importCustomer, importProduct } from './store-catalog'
import { idsReturnedBy, type OrderBatch } from './order-batch'
import { eventOnlyStatements, type ImportScope, orderId, orderWriteStatements } from './store-order'

export type ImportTarget = {
  tenantId: string
  tenantCurrency: string
  connectionId: string
  platform: string
  settings: { productMatch?: ProductMatch; initialStatus?: InitialStatusSetting }
  /** Where the records came from; a poll that creates an order says so when a webhook should have. */
  origin: 'webhook' | 'poll' | 'backfill'
  /** Whether the platform pushes webhooks at all (poll-only platforms find every order by polling). */
  takesWebhooks: boolean
  policy: ImportPolicy
  /** Destination connection ids every new order of this connection is handed to. */
  routes: string[]
}

export type OrderOutcome = { orderId: string; externalId: string; result: ImportResult; rule?: string; reason?: string }

/** What the importer changed that the caller must queue: hand-overs, cancellations, hub deliveries. */
export type FollowUps = {
  handoverIds: string[]
  cancelHandoverIds: string[]
  /** Hand-overs of orders the platform changed after they were handed over. */
  changedHandoverIds: string[]
  deliveryIds: string[]
  /** Destinations to send this connection's products to, when the import created or changed one (WM4). */
  productDestinationIds: string[]
}

export type ImportSummary = {
  orders: OrderOutcome[]
  counts: Partial<Record<ImportResult, number>>
  followUps: FollowUps
}

/** How often an order batch is planned again after another writer changed the order first. */
const MAX_PLANS = 5

/**
 * Orders written in one D1 batch: a whole page of the largest page size a connector fetches
 * (Shopify's 250), about five statements each. Every D1 call is a round trip and, on local workerd,
 * native memory that stays. Through the importer alone (25,000 orders, 2026-11-22), RSS grew by
 * 21 % of its 10,000-order figure over the last 10,000 orders at 10 orders per call, 8 % at 50, 1 %
 * at a page; BENCHMARKS.md shows the same with D1 alone. A few thousand small statements are still
 * one short transaction.
 */
const ORDERS_PER_BATCH = 250

export function logRow(
  target: ImportTarget,
  entry: { kind: ImportKind; externalId: string | null; result: ImportResult; rule?: string; reason?: string }
) {
  return {
    id: randomId('log'),
    tenantId: target.tenantId,
    connectionId: target.connectionId,
    kind: entry.kind,
    externalId: entry.externalId,
    result: entry.result,
    rule: entry.rule ?? null,
    reason: entry.reason ?? null,
    at: nowIso(),
  }
}

async function existingOrders(db: Database, ids: string[]): Promise<Map<string, ExistingOrder>> {
  const existing = new Map<string, ExistingOrder>()
  if (!ids.length) return existing
  // The ids go as one JSON parameter (D1 binds at most 100 values), so a page is one statement.
  const rows = await db
    .select({
      id: orders.id,
      updatedAt: orders.updatedAt,
      writtenOff: orders.writtenOff,
      contentHash: orders.contentHash,
      delivery: orders.delivery,
      status: orders.status,
      revision: orders.revision,
      // Written out: a single-table select drops the table from column names, which would bind
      // `id` inside the subquery to the hand-over's own id.
      handedOver: sql<number>`exists (select 1 from handovers where handovers.order_id = orders.id
        and handovers.state in ('pending', 'sent', 'confirmed'))`,
    })
    .from(orders)
    .where(sql`${orders.id} in (select value from json_each(${JSON.stringify(ids)}))`)
  for (const row of rows) {
    existing.set(row.id, {
      ...row,
      delivery: row.delivery as Delivery | null,
      status: row.status as OrderStatus,
      handedOver: Boolean(row.handedOver),
    })
  }
  return existing
}

/**
 * Runs the batches of several orders as one D1 batch (one transaction, one round trip) and
 * collects what they ask the caller to queue. Either every order of the group is written or none.
 */
async function runOrderBatches(db: Database, batches: OrderBatch[], followUps: FollowUps) {
  const results = await writeBatch(
    db,
    batches.flatMap((batch) => batch.statements)
  )
  let offset = 0
  for (const batch of batches) {
    const returned = idsReturnedBy(batch, results.slice(offset, offset + batch.statements.length))
    offset += batch.statements.length
    followUps.handoverIds.push(...batch.handoverIds)
    followUps.deliveryIds.push(...returned.hubDeliveries)
    followUps.cancelHandoverIds.push(...returned.handoversToCancel)
    followUps.changedHandoverIds.push(...returned.changedHandovers)
  }
}

type OrderImport = {
  db: Database
  target: ImportTarget
  scope: ImportScope
  incoming: IncomingOrder
  id: string
  contentHash: string
  existing: ExistingOrder | null
}

/** One order planned from what the hub holds: its outcome and, when it writes, the batch to run. */
type PlannedOrder = {
  outcome: OrderOutcome
  /** What the hub holds once the batch ran (null: nothing a later record of the page can plan from). */
  written: ExistingOrder | null
  log?: ReturnType<typeof logRow>
  batch?: OrderBatch
}

/** Plans one order from `existing` and builds its batch, without writing anything. */
async function planOrder(input: OrderImport): Promise<PlannedOrder> {
  const { db, target, scope, incoming, id, contentHash } = input
  // A fingerprint stored before projections were versioned still counts as the same content.
  const existing =
    input.existing && (await matchesStored(input.existing.contentHash, contentHash, incoming))
      ? { ...input.existing, contentHash }
      : input.existing
  const plan = planOrderImport({
    incoming,
    existing,
    contentHash,
    tenantCurrency: target.tenantCurrency,
    initialStatusSetting: target.settings.initialStatus,
    policy: target.policy,
  })
  if (plan.action !== 'write') {
    const result: ImportResult = plan.action === 'reject' ? 'rejected' : 'unchanged'
    const outcome = { orderId: id, externalId: incoming.externalId, result, rule: plan.rule, reason: plan.reason }
    const silent = plan.action === 'keep' && plan.silent
    return { outcome, written: null, log: silent ? undefined : logRow(target, { kind: 'order', ...outcome }) }
  }
  if (plan.keepContent) {
    const batch = await eventOnlyStatements(db, {
      scope,
      incoming,
      orderId: id,
      contentHash,
      events: plan.events,
      expectedRevision: existing!.revision,
    })
    return {
      outcome: { orderId: id, externalId: incoming.externalId, result: 'updated' },
      written: { ...existing!, contentHash, revision: existing!.revision + 1 },
      batch,
    }
  }
  const reason =
    target.origin === 'poll' && target.takesWebhooks && plan.result === 'created'
      ? 'found by the poll: no webhook brought this order'
      : undefined
  const batch = await orderWriteStatements(db, {
    scope,
    incoming,
    orderId: id,
    contentHash,
    status: plan.status,
    events: plan.events,
    result: plan.result,
    expectedRevision: existing?.revision ?? null,
    routes: target.routes,
    reason,
  })
  return {
    outcome: { orderId: id, externalId: incoming.externalId, result: plan.result },
    written: {
      id,
      updatedAt: incoming.updatedAt,
      writtenOff: false,
      contentHash,
      delivery: incoming.delivery,
      status: plan.status,
      revision: (existing?.revision ?? -1) + 1,
      // New hand-overs start pending; a cancellation moves the open ones to cancel_requested.
      handedOver:
        plan.result === 'created'
          ? target.routes.length > 0
          : Boolean(existing?.handedOver) && !isSourceCancelled(plan.status),
    },
    batch,
  }
}

/**
 * Imports one order in its own batch, which holds only while the order is still as planned from;
 * when another writer got there first (a concurrent delivery, an order event), the order is read
 * again and planned again.
 */
async function importOrder(input: OrderImport, followUps: FollowUps): Promise<PlannedOrder> {
  let existing = input.existing
  for (let planNumber = 1; ; planNumber++) {
    const planned = await planOrder({ ...input, existing })
    if (!planned.batch) return planned
    try {
      await runOrderBatches(input.db, [planned.batch], followUps)
      return planned
    } catch (error) {
      if (!isGuardFailure(error)) throw error
      if (planNumber >= MAX_PLANS) throw new StaleSnapshotError(`order ${input.id}`)
      existing = (await existingOrders(input.db, [input.id])).get(input.id) ?? null
    }
  }
}

/** What the hub holds of a page's orders, as the importer last read or wrote them. */
type KnownOrders = ReadonlyMap<string, ExistingOrder>

/**
 * Imports a group of orders of one page. All of them are planned from what the hub holds and
 * written in one transaction, one round trip. If that fails (another writer changed one of them
 * first, or one order's statements fail), nothing of the group was written: the group is read
 * again and each order imported on its own. A later order of the group sees what an earlier one
 * wrote; what the hub holds once the group is written is returned for the page's next group.
 */
async function importOrderGroup(
  group: Omit<OrderImport, 'existing'>[],
  before: KnownOrders,
  followUps: FollowUps
): Promise<{ planned: PlannedOrder[]; known: KnownOrders }> {
  const known = new Map(before)
  const remember = (id: string, planned: PlannedOrder) => {
    if (planned.written) known.set(id, planned.written)
    else if (planned.outcome.result === 'updated') known.delete(id)
  }
  const planned: PlannedOrder[] = []
  for (const order of group) {
    const plan = await planOrder({ ...order, existing: known.get(order.id) ?? null })
    remember(order.id, plan)
    planned.push(plan)
  }
  const batches = planned.flatMap((plan) => (plan.batch ? [plan.batch] : []))
  if (!batches.length) return { planned, known }
  const { db } = group[0]
  try {
    await runOrderBatches(db, batches, followUps)
    return { planned, known }
  } catch (error) {
    // Whatever failed is met again below, by the order it belongs to, and raised from there; a
    // failure that is not another writer's change is said here too, in case it does not recur.
    if (!isGuardFailure(error))
      logger.warn('order group rolled back; orders written one by one', { error: String(error) })
    // Nothing of the group was written: what was remembered from its plans is read again.
    const ids = group.map((order) => order.id)
    const current = await existingOrders(db, ids)
    for (const id of ids) {
      const row = current.get(id)
      if (row) known.set(id, row)
      else known.delete(id)
    }
    const alone: PlannedOrder[] = []
    for (const order of group) {
      const result = await importOrder({ ...order, existing: known.get(order.id) ?? null }, followUps)
      remember(order.id, result)
      alone.push(result)
    }
    return { planned: alone, known }
  }
}

export async function importRecords(
  db: Database,
  target: ImportTarget,
  records: ImportRecord[],
  notes: ImportNote[] = []
): Promise<ImportSummary> {
  const scope: ImportScope = {
    tenantId: target.tenantId,
    connectionId: target.connectionId,
    platform: target.platform,
    productMatch: target.settings.productMatch ?? 'sku',
    rejectsDuplicateProductCodes: target.policy.rejectsDuplicateProductCodes,
  }
  const summary: ImportSummary = {
    orders: [],
    counts: {},
    followUps: {
      handoverIds: [],
      cancelHandoverIds: [],
      changedHandoverIds: [],
      deliveryIds: [],
      productDestinationIds: [],
    },
  }
  const count = (result: ImportResult) => (summary.counts[result] = (summary.counts[result] ?? 0) + 1)
  const logLater: ReturnType<typeof logRow>[] = notes.map((note) => logRow(target, { ...note, externalId: null }))

  const orderRecords = records.flatMap((record) => (record.kind === 'order' ? [record.order] : []))
  const ids = await Promise.all(orderRecords.map((order) => orderId(target.connectionId, order.externalId)))
  let known: KnownOrders = await existingOrders(db, ids)

  const orderImports = await Promise.all(
    orderRecords.map(async (incoming, index) => ({
      db,
      target,
      scope,
      incoming,
      id: ids[index],
      contentHash: await orderContentHash(incoming),
    }))
  )
  for (let start = 0; start < orderImports.length; start += ORDERS_PER_BATCH) {
    const group = await importOrderGroup(orderImports.slice(start, start + ORDERS_PER_BATCH), known, summary.followUps)
    known = group.known
    for (const { outcome, log } of group.planned) {
      if (log) logLater.push(log)
      summary.orders.push(outcome)
      count(outcome.result)
    }
  }

  for (const record of records) {
    if (record.kind === 'decision') {
      logLater.push(
        logRow(target, {
          kind: record.about,
          externalId: record.externalId,
          result: record.result,
          rule: record.rule,
          reason: record.reason,
        })
      )
      count(record.result)
    } else if (record.kind === 'product') {
      const outcome = await importProduct(db, scope, record.product)
      logLater.push(logRow(target, { kind: 'product', externalId: record.product.externalId, ...outcome }))
      count(outcome.result)
      if (outcome.result === 'created' || outcome.result === 'updated')
        summary.followUps.productDestinationIds = target.routes
    } else if (record.kind === 'customer') {
      const outcome = await importCustomer(db, scope, record.customer)
      logLater.push(logRow(target, { kind: 'customer', externalId: record.customer.externalId, ...outcome }))
      count(outcome.result)
    } else if (record.kind === 'privacy') logLater.push(logRow(target, await applyPrivacyRequest(db, target, record)))
  }

  // Log lines of decisions that wrote nothing go in one statement (D1 allows 100 bound values each).
  for (let start = 0; start < logLater.length; start += 10) {
    await db.insert(importLog).values(logLater.slice(start, start + 10))
  }
  return summary
}
