/**
 * The import use case: what a connector produced (ImportRecord[]) goes through the rules and
 * into the hub. One read for all orders of a page, then one batch per order that changed, so a
 * page of 250 new orders costs 251 round trips, an unchanged page one, and one bad order never
 * blocks the others.
 */
import { sql } from 'drizzle-orm'
import { sha256Hex } from '../core/crypto'
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
import { type Database, nowIso } from '../db/client'
import { importLog, orders } from '../db/schema'
import { isGuardFailure, StaleSnapshotError } from '../db/write-guard'
import { writeBatch } from '../db/write-batch'
import { returnedIds } from '../hub/emit'
import type { ImportPolicy } from '../core/import-policy'
import type { ProductMatch } from './match-keys'
import { applyPrivacyRequest } from './privacy'
import { type ExistingOrder, type InitialStatusSetting, planOrderImport } from './order-plan'
import { importCustomer, importProduct } from './store-catalog'
import { eventOnlyStatements, type ImportScope, type OrderBatch, orderId, orderWriteStatements } from './store-order'

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
}

export type ImportSummary = {
  orders: OrderOutcome[]
  counts: Partial<Record<ImportResult, number>>
  followUps: FollowUps
}

/** How often an order batch is planned again after another writer changed the order first. */
const MAX_PLANS = 5

/** A stable fingerprint of what the platform says, without its clock. */
async function orderContentHash(order: IncomingOrder): Promise<string> {
  const { updatedAt: _updatedAt, ...content } = order
  return sha256Hex(JSON.stringify(content))
}

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
    })
    .from(orders)
    .where(sql`${orders.id} in (select value from json_each(${JSON.stringify(ids)}))`)
  for (const row of rows) {
    existing.set(row.id, { ...row, delivery: row.delivery as Delivery | null, status: row.status as OrderStatus })
  }
  return existing
}

/** Runs an order batch and collects what it asks the caller to queue. */
async function runOrderBatch(db: Database, batch: OrderBatch, followUps: FollowUps) {
  const results = await writeBatch(db, batch.statements)
  followUps.handoverIds.push(...batch.handoverIds)
  if (batch.hubEventsAt !== null) followUps.deliveryIds.push(...returnedIds(results[batch.hubEventsAt]))
  if (batch.cancelAt !== null) followUps.cancelHandoverIds.push(...returnedIds(results[batch.cancelAt]))
  if (batch.changedAt !== null) followUps.changedHandoverIds.push(...returnedIds(results[batch.changedAt]))
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

/**
 * Plans one order from what the hub holds and writes the plan as one batch that holds only
 * while the order is still as planned from; when another writer got there first (a concurrent
 * delivery, an order event), the order is read again and planned again.
 */
async function importOrder(
  input: OrderImport,
  followUps: FollowUps
): Promise<{ outcome: OrderOutcome; written: ExistingOrder | null; log?: ReturnType<typeof logRow> }> {
  const { db, target, scope, incoming, id, contentHash } = input
  let existing = input.existing
  for (let planNumber = 1; ; planNumber++) {
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
      return {
        outcome,
        written: null,
        log: silent ? undefined : logRow(target, { kind: 'order', ...outcome }),
      }
    }
    try {
      if (plan.keepContent) {
        const batch = await eventOnlyStatements(db, {
          scope,
          incoming,
          orderId: id,
          events: plan.events,
          expectedRevision: existing!.revision,
        })
        await runOrderBatch(db, batch, followUps)
        return { outcome: { orderId: id, externalId: incoming.externalId, result: 'updated' }, written: null }
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
      await runOrderBatch(db, batch, followUps)
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
        },
      }
    } catch (error) {
      if (!isGuardFailure(error)) throw error
      if (planNumber >= MAX_PLANS) throw new StaleSnapshotError(`order ${id}`)
      existing = (await existingOrders(db, [id])).get(id) ?? null
    }
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
    followUps: { handoverIds: [], cancelHandoverIds: [], changedHandoverIds: [], deliveryIds: [] },
  }
  const count = (result: ImportResult) => (summary.counts[result] = (summary.counts[result] ?? 0) + 1)
  const logLater: ReturnType<typeof logRow>[] = notes.map((note) => logRow(target, { ...note, externalId: null }))

  const orderRecords = records.flatMap((record) => (record.kind === 'order' ? [record.order] : []))
  const ids = await Promise.all(orderRecords.map((order) => orderId(target.connectionId, order.externalId)))
  const existing = await existingOrders(db, ids)

  for (const [index, incoming] of orderRecords.entries()) {
    const id = ids[index]
    const { outcome, written, log } = await importOrder(
      {
        db,
        target,
        scope,
        incoming,
        id,
        contentHash: await orderContentHash(incoming),
        existing: existing.get(id) ?? null,
      },
      summary.followUps
    )
    // A later record of the same page sees what this one wrote.
    if (written) existing.set(id, written)
    else if (outcome.result === 'updated') existing.delete(id)
    if (log) logLater.push(log)
    summary.orders.push(outcome)
    count(outcome.result)
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
