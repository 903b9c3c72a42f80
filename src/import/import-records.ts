/**
 * The import use case: what a connector produced (ImportRecord[]) goes through the rules and
 * into the hub. One read for all orders of a page, then one batch per order, so a page of 250
 * orders costs about 251 round trips and one bad order never blocks the others.
 */
import { inArray } from 'drizzle-orm'
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
import { writeBatch } from '../db/write-batch'
import type { ProductMatch } from './match-keys'
import { type ExistingOrder, type InitialStatusSetting, planOrderImport } from './order-plan'
import { importCustomer, importProduct } from './store-catalog'
import { eventOnlyStatements, type ImportScope, orderId, orderWriteStatements } from './store-order'

export type ImportTarget = {
  tenantId: string
  tenantCurrency: string
  connectionId: string
  platform: string
  settings: { productMatch?: ProductMatch; initialStatus?: InitialStatusSetting }
  /** Where the records came from; a poll that creates an order says so, since a webhook should have. */
  origin: 'webhook' | 'poll' | 'backfill'
  /** See Connector.ignoresChangesAfterNew, importsOnce and cancellationsAreRequests. */
  ignoresChangesAfterNew?: string
  importsOnce?: string
  cancellationsAreRequests?: string
  rejectsDuplicateProductCodes?: string
}

export type OrderOutcome = { orderId: string; externalId: string; result: ImportResult; rule?: string; reason?: string }

export type ImportSummary = { orders: OrderOutcome[]; counts: Partial<Record<ImportResult, number>> }

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
  // D1 binds at most 100 values per statement.
  for (let start = 0; start < ids.length; start += 90) {
    const rows = await db
      .select({
        id: orders.id,
        updatedAt: orders.updatedAt,
        writtenOff: orders.writtenOff,
        contentHash: orders.contentHash,
        delivery: orders.delivery,
        status: orders.status,
      })
      .from(orders)
      .where(inArray(orders.id, ids.slice(start, start + 90)))
    for (const row of rows) {
      existing.set(row.id, { ...row, delivery: row.delivery as Delivery | null, status: row.status as OrderStatus })
    }
  }
  return existing
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
    rejectsDuplicateProductCodes: target.rejectsDuplicateProductCodes,
  }
  const summary: ImportSummary = { orders: [], counts: {} }
  const count = (result: ImportResult) => (summary.counts[result] = (summary.counts[result] ?? 0) + 1)
  const logLater: ReturnType<typeof logRow>[] = notes.map((note) => logRow(target, { ...note, externalId: null }))

  const orderRecords = records.flatMap((record) => (record.kind === 'order' ? [record.order] : []))
  const ids = await Promise.all(orderRecords.map((order) => orderId(target.connectionId, order.externalId)))
  const existing = await existingOrders(db, ids)

  for (const [index, incoming] of orderRecords.entries()) {
    const id = ids[index]
    const contentHash = await orderContentHash(incoming)
    const plan = planOrderImport({
      incoming,
      existing: existing.get(id) ?? null,
      contentHash,
      tenantCurrency: target.tenantCurrency,
      initialStatusSetting: target.settings.initialStatus,
      ignoresChangesAfterNew: target.ignoresChangesAfterNew,
      importsOnce: target.importsOnce,
      cancellationsAreRequests: target.cancellationsAreRequests,
    })
    if (plan.action === 'write' && plan.keepContent) {
      await writeBatch(db, eventOnlyStatements(db, { scope, incoming, orderId: id, contentHash, events: plan.events }))
      summary.orders.push({ orderId: id, externalId: incoming.externalId, result: 'updated' })
      count('updated')
    } else if (plan.action === 'write') {
      const reason =
        target.origin === 'poll' && plan.result === 'created'
          ? 'found by the poll: no webhook brought this order'
          : undefined
      const statements = await orderWriteStatements(db, {
        scope,
        incoming,
        orderId: id,
        contentHash,
        status: plan.status,
        events: plan.events,
        result: plan.result,
        reason,
      })
      await writeBatch(db, statements)
      // A later record of the same page sees what this one wrote.
      existing.set(id, {
        id,
        updatedAt: incoming.updatedAt,
        writtenOff: false,
        contentHash,
        delivery: incoming.delivery,
        status: plan.status,
      })
      summary.orders.push({ orderId: id, externalId: incoming.externalId, result: plan.result })
      count(plan.result)
    } else {
      const result: ImportResult = plan.action === 'reject' ? 'rejected' : 'unchanged'
      logLater.push(
        logRow(target, { kind: 'order', externalId: incoming.externalId, result, rule: plan.rule, reason: plan.reason })
      )
      summary.orders.push({
        orderId: id,
        externalId: incoming.externalId,
        result,
        rule: plan.rule,
        reason: plan.reason,
      })
      count(result)
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
    } else if (record.kind === 'customer') {
      const outcome = await importCustomer(db, scope, record.customer)
      logLater.push(logRow(target, { kind: 'customer', externalId: record.customer.externalId, ...outcome }))
      count(outcome.result)
    }
  }

  // Log lines of decisions that wrote nothing go in one statement (D1 allows 100 bound values each).
  for (let start = 0; start < logLater.length; start += 10) {
    await db.insert(importLog).values(logLater.slice(start, start + 10))
  }
  return summary
}
