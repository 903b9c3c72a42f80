/**
 * The products of every source connection routed to a warehouse destination go to it (WM4–WM5):
 * new ones in batches, changes one by one, each an exactly-once outbound step. A
 * `warehouse_products` row per (destination, product) holds what was sent, so a run costs calls
 * only for products that changed since; a product whose first send lost its answer is looked up
 * at the warehouse before it is added again, so it never arrives as new twice. Started by the
 * DISPATCH message `warehouse-products` (after an import brought products, and on the cron's
 * schedule); a run handles PRODUCTS_PER_RUN products and queues the next run for the rest.
 */
import { and, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import type { WarehouseCatalog, WarehouseProduct } from '../connectors/types'
import { sha256Hex } from '../core/crypto'
import { FinalError } from '../core/errors'
import { randomId } from '../core/ids'
import type { Dimensions } from '../core/model'
import type { Bindings } from '../env'
import { type Database, database, nowIso } from '../db/client'
import { type LoadedConnection, routedTo } from '../db/connections'
import { connections, importLog, mappings, products, warehouseProducts } from '../db/schema'
import { writeBatch } from '../db/write-batch'
import { loadDestination } from '../handover/destination'
import { outboundSteps } from '../exactly-once/steps'
import type { DispatchMessage } from '../queue/messages'
import { type HubProduct, planProduct, type SentProduct, warehouseProductFingerprint } from './product-plan'

/** Products read per run: a few batches and updates, well inside one message's time. */
export const PRODUCTS_PER_RUN = 500
/** Changes sent per run (one call each); the rest stay pending for the next run. */
export const UPDATES_PER_RUN = 100
/** How long a consumer owns a first send it claimed (a crash leaves it to the next run after this). */
const CLAIM_MS = 2 * 60_000

type PendingRow = {
  product: HubProduct & { updatedAt: string }
  sent: (SentProduct & { batchId: string | null }) | null
}

type Plan<T> = { row: PendingRow; product: WarehouseProduct; hash: string } & T

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500)

/** The live source connections whose routes name this destination. */
async function routedSources(db: Database, destination: LoadedConnection): Promise<string[]> {
  const rows = await db.select({ id: connections.id }).from(connections).where(routedTo(destination))
  return rows.map((row) => row.id)
}

/** Products of the sources that are new to the destination, changed since, or an unfinished first send. */
async function pendingProducts(db: Database, destination: LoadedConnection, sources: string[], now: string) {
  const sent = warehouseProducts
  const rows = await db
    .select({
      id: products.id,
      name: products.name,
      sku: products.sku,
      ean: products.ean,
      type: products.type,
      dimensions: products.dimensions,
      updatedAt: products.updatedAt,
      state: sent.state,
      externalId: sent.externalId,
      sentDimensions: sent.dimensions,
      sentHash: sent.sentHash,
      batchId: sent.batchId,
    })
    .from(products)
    .leftJoin(sent, and(eq(sent.destinationId, destination.id), eq(sent.productId, products.id)))
    .where(
      and(
        eq(products.tenantId, destination.tenantId),
        sql`${products.id} in (select ${mappings.internalId} from ${mappings} where ${mappings.kind} = 'product'
          and ${mappings.connectionId} in (select value from json_each(${JSON.stringify(sources)})))`,
        or(
          isNull(sent.productId),
          and(ne(sent.state, 'adding'), lt(sent.productUpdatedAt, products.updatedAt)),
          and(eq(sent.state, 'adding'), or(isNull(sent.claimedUntil), lt(sent.claimedUntil, now)))
        )
      )
    )
    .orderBy(products.id)
    .limit(PRODUCTS_PER_RUN)
  return rows.map((row): PendingRow => ({
    product: { ...row, dimensions: row.dimensions as Dimensions | null },
    sent: row.state
      ? {
          state: row.state as SentProduct['state'],
          externalId: row.externalId,
          dimensions: row.sentDimensions as Dimensions | null,
          sentHash: row.sentHash,
          batchId: row.batchId,
        }
      : null,
  }))
}

/** BB4: for each pending product, the other product of this destination that holds its SKU or EAN. */
async function codesTakenElsewhere(db: Database, destinationId: string, rows: PendingRow[]) {
  const codes = rows.flatMap(({ product }) => [product.sku, product.ean].filter((code): code is string => !!code))
  const holders = codes.length
    ? await db
        .select({
          productId: warehouseProducts.productId,
          externalId: warehouseProducts.externalId,
          sku: warehouseProducts.sku,
          ean: warehouseProducts.ean,
        })
        .from(warehouseProducts)
        .where(
          and(
            eq(warehouseProducts.destinationId, destinationId),
            inArray(warehouseProducts.state, ['sent', 'adding']),
            or(
              sql`${warehouseProducts.sku} in (select value from json_each(${JSON.stringify(codes)}))`,
              sql`${warehouseProducts.externalId} in (select value from json_each(${JSON.stringify(codes)}))`,
              sql`${warehouseProducts.ean} in (select value from json_each(${JSON.stringify(codes)}))`
            )
          )
        )
    : []
  return (product: HubProduct): string | null => {
    for (const holder of holders) {
      if (holder.productId === product.id) continue
      if (product.sku && (holder.sku === product.sku || holder.externalId === product.sku))
        return `SKU ${product.sku} belongs to another product at the warehouse (${holder.productId})`
      if (product.ean && holder.ean === product.ean)
        return `EAN ${product.ean} belongs to another product at the warehouse (${holder.productId})`
    }
    return null
  }
}

export async function sendProductsToWarehouse(env: Bindings, destinationId: string): Promise<void> {
  const db = database(env.DB)
  const destination = await loadDestination(env, db, destinationId)
  const catalog = destination?.connector.products
  if (!destination || !catalog) return
  const { connection, connector } = destination
  const sources = await routedSources(db, connection)
  if (!sources.length) return
  const pending = await pendingProducts(db, connection, sources, nowIso())
  if (!pending.length) return

  const takenBy = await codesTakenElsewhere(db, connection.id, pending)
  const run: Run = {
    db,
    destination: connection,
    catalog,
    context: connectorContext(env, connector, connection, db),
    steps: outboundSteps(db, {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      orderId: null,
      owner: `products:${connection.id}`,
      action: `products:${connection.platform}`,
    }),
  }
  const adds: Plan<{ retryOf: string | null }>[] = []
  const updates: Plan<object>[] = []
  const settled: Statement[] = []
  const logs: LogLine[] = []
  for (const row of pending) {
    const decision = planProduct(row.product, row.sent, takenBy(row.product))
    if (decision.action === 'reject' || decision.action === 'skip') {
      logs.push({ row, result: decision.action === 'reject' ? 'rejected' : 'skipped', ...decision })
      settled.push(decided(run, row, decision.action === 'reject' ? 'rejected' : 'skipped'))
      continue
    }
    const hash = await sha256Hex(warehouseProductFingerprint(decision.product))
    if (decision.action === 'add') {
      adds.push({
        row,
        product: decision.product,
        hash,
        retryOf: row.sent?.state === 'adding' ? row.sent.batchId : null,
      })
    } else if (decision.dimensionsKept || hash !== row.sent?.sentHash) {
      if (decision.dimensionsKept)
        logs.push({
          row,
          result: 'skipped',
          rule: 'BB5',
          reason: 'dimension changes are not sent once Wemalo has the product',
        })
      if (hash !== row.sent?.sentHash) updates.push({ row, product: decision.product, hash })
      else settled.push(decided(run, row, 'sent'))
    } else {
      settled.push(decided(run, row, 'sent'))
    }
  }
  await writeBatch(db, [...settled, ...logStatements(run, logs)])

  // First sends: interrupted batches again (same step, so their products are looked up first), then new ones.
  const retried = new Map<string, Plan<{ retryOf: string | null }>[]>()
  for (const add of adds.filter((add) => add.retryOf))
    retried.set(add.retryOf!, [...(retried.get(add.retryOf!) ?? []), add])
  for (const [batchId, batch] of retried) await addBatch(run, batchId, batch)
  const fresh = adds.filter((add) => !add.retryOf)
  for (let start = 0; start < fresh.length; start += catalog.batchSize)
    await addBatch(run, randomId('pb'), fresh.slice(start, start + catalog.batchSize))
  for (const update of updates.slice(0, UPDATES_PER_RUN)) await updateProduct(run, update)

  if (pending.length === PRODUCTS_PER_RUN || updates.length > UPDATES_PER_RUN)
    await env.DISPATCH.send({ type: 'warehouse-products', destinationId } satisfies DispatchMessage)
}

type Run = {
  db: Database
  destination: LoadedConnection
  catalog: WarehouseCatalog<unknown, unknown>
  context: ReturnType<typeof connectorContext>
  steps: ReturnType<typeof outboundSteps>
}
type Statement = Parameters<typeof writeBatch>[1][number]
type LogLine = { row: PendingRow; result: 'rejected' | 'skipped'; rule: string; reason: string }

function logStatements(run: Run, lines: LogLine[]): Statement[] {
  const rows = lines.map(({ row, result, rule, reason }) => ({
    id: randomId('log'),
    tenantId: run.destination.tenantId,
    connectionId: run.destination.id,
    kind: 'product',
    externalId: row.product.sku ?? row.product.id,
    result,
    rule,
    reason: `${row.product.name}: ${reason}`,
    at: nowIso(),
  }))
  const statements: Statement[] = []
  for (let start = 0; start < rows.length; start += 10)
    statements.push(run.db.insert(importLog).values(rows.slice(start, start + 10)))
  return statements
}

/**
 * Records a decision that needed no call. A product the warehouse holds stays `sent` (a refused
 * change leaves what was sent); one it never got takes the decision.
 */
function decided(run: Run, row: PendingRow, state: 'rejected' | 'skipped' | 'sent'): Statement {
  const now = nowIso()
  const keep = row.sent?.state === 'sent'
  return run.db
    .insert(warehouseProducts)
    .values({
      destinationId: run.destination.id,
      productId: row.product.id,
      tenantId: run.destination.tenantId,
      state,
      productUpdatedAt: row.product.updatedAt,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [warehouseProducts.destinationId, warehouseProducts.productId],
      set: keep
        ? { productUpdatedAt: row.product.updatedAt, updatedAt: now }
        : { state, productUpdatedAt: row.product.updatedAt, updatedAt: now },
      // An `adding` row is pending only once its claim ran out; a live claim is left alone.
      setWhere: sql`${warehouseProducts.state} <> 'adding' or ${warehouseProducts.claimedUntil} is null
        or ${warehouseProducts.claimedUntil} < ${now}`,
    })
}

/**
 * One exactly-once add step for a batch. Its products are claimed first (rows in `adding` under
 * the batch id), so a retry of the message meets the same step; the step's `alreadyDone` asks the
 * warehouse which of them it already holds, and only the others are added. A batch the warehouse
 * refuses is sent again product by product, so one bad product is refused alone.
 */
async function addBatch(run: Run, batchId: string, batch: Plan<{ retryOf: string | null }>[]) {
  const { db, destination } = run
  const claimedUntil = new Date(Date.now() + CLAIM_MS).toISOString()
  const now = nowIso()
  const claims = await writeBatch(
    db,
    batch.map(({ row, product, hash }) => {
      const values = {
        state: 'adding',
        externalId: product.externalId,
        sku: product.sku,
        ean: product.eans[0] ?? null,
        dimensions: row.sent?.dimensions ?? row.product.dimensions,
        sentHash: hash,
        productUpdatedAt: row.product.updatedAt,
        batchId,
        claimedUntil,
        updatedAt: now,
      }
      return db
        .insert(warehouseProducts)
        .values({ destinationId: destination.id, productId: row.product.id, tenantId: destination.tenantId, ...values })
        .onConflictDoUpdate({
          target: [warehouseProducts.destinationId, warehouseProducts.productId],
          set: values,
          // A new claim takes a decided row, or this batch's own row once its claim ran out.
          setWhere: sql`${warehouseProducts.state} in ('rejected', 'skipped') or (${warehouseProducts.state} = 'adding'
            and ${warehouseProducts.batchId} = ${batchId} and (${warehouseProducts.claimedUntil} is null or ${warehouseProducts.claimedUntil} < ${now}))`,
        })
        .returning({ productId: warehouseProducts.productId })
    })
  )
  const claimed = batch.filter((_, index) => (claims[index].results?.length ?? 0) > 0)
  if (!claimed.length) return

  let toAdd = claimed
  let foundAtWarehouse = new Set<string>()
  const refused = new Map<string, string>()
  try {
    const { skipped } = await run.steps.once(
      `add:${batchId}`,
      async () => {
        try {
          await run.catalog.add(
            run.context,
            toAdd.map((add) => add.product)
          )
        } catch (error) {
          if (!(error instanceof FinalError)) throw error
          if (toAdd.length === 1) refused.set(toAdd[0].row.product.id, errorText(error))
          else for (const add of toAdd) await addAlone(run, add, refused)
        }
        const added = toAdd.length - refused.size
        return `${added} product(s) added${refused.size ? `, ${refused.size} refused` : ''}`
      },
      {
        alreadyDone: async () => {
          foundAtWarehouse = await run.catalog.existing(
            run.context,
            claimed.map((add) => add.product.externalId)
          )
          toAdd = claimed.filter((add) => !foundAtWarehouse.has(add.product.externalId))
          return toAdd.length === 0
        },
      }
    )
    // Skipped: done before, or found complete at the warehouse.
    if (skipped && !foundAtWarehouse.size) foundAtWarehouse = new Set(claimed.map((add) => add.product.externalId))
  } catch (error) {
    // Released, so the queue's retry takes the batch again at once (and looks its products up first).
    await db
      .update(warehouseProducts)
      .set({ claimedUntil: null })
      .where(and(eq(warehouseProducts.batchId, batchId), eq(warehouseProducts.state, 'adding')))
    throw error
  }
  await finishBatch(run, batchId, claimed, foundAtWarehouse, refused)
}

async function addAlone(run: Run, add: Plan<unknown>, refused: Map<string, string>) {
  try {
    await run.catalog.add(run.context, [add.product])
  } catch (error) {
    if (!(error instanceof FinalError)) throw error
    refused.set(add.row.product.id, errorText(error))
  }
}

async function finishBatch(
  run: Run,
  batchId: string,
  claimed: Plan<unknown>[],
  foundAtWarehouse: Set<string>,
  refused: Map<string, string>
) {
  const { db } = run
  const now = nowIso()
  const inBatch = and(eq(warehouseProducts.batchId, batchId), eq(warehouseProducts.state, 'adding'))
  // Found after an interrupted attempt that sent another version than this one: updated next run.
  const found = claimed
    .filter((add) => foundAtWarehouse.has(add.product.externalId) && add.hash !== add.row.sent?.sentHash)
    .map((add) => add.row.product.id)
  const refusedIds = [...refused.keys()]
  const statements: Statement[] = []
  if (found.length)
    statements.push(
      db
        .update(warehouseProducts)
        .set({ state: 'sent', sentHash: null, productUpdatedAt: '', batchId: null, claimedUntil: null, updatedAt: now })
        .where(and(inBatch, inArray(warehouseProducts.productId, found)))
    )
  if (refusedIds.length)
    statements.push(
      db
        .update(warehouseProducts)
        .set({
          state: 'rejected',
          externalId: null,
          sku: null,
          ean: null,
          dimensions: null,
          sentHash: null,
          batchId: null,
          claimedUntil: null,
          updatedAt: now,
        })
        .where(and(inBatch, inArray(warehouseProducts.productId, refusedIds))),
      ...logStatements(
        run,
        claimed
          .filter((add) => refused.has(add.row.product.id))
          .map((add) => ({
            row: add.row,
            result: 'rejected' as const,
            rule: 'WM4',
            reason: `Wemalo refused the product: ${refused.get(add.row.product.id)}`,
          }))
      )
    )
  statements.push(
    db
      .update(warehouseProducts)
      .set({ state: 'sent', batchId: null, claimedUntil: null, updatedAt: now })
      .where(inBatch)
  )
  await writeBatch(db, statements)
}

/**
 * WM5: a change of a product the warehouse holds; the step is keyed by the product version. A
 * change the warehouse refuses (e.g. an SKU it knows under another product) is logged and not
 * tried again until the product changes.
 */
async function updateProduct(run: Run, update: Plan<object>) {
  const { row, product, hash } = update
  let refusal: string | null = null
  try {
    await run.steps.once(`update:${row.product.id}:${row.product.updatedAt}`, async () => {
      await run.catalog.update(run.context, product)
      return `${product.externalId} updated`
    })
  } catch (error) {
    if (!(error instanceof FinalError)) throw error
    refusal = errorText(error)
  }
  const sent = refusal
    ? { productUpdatedAt: row.product.updatedAt, updatedAt: nowIso() }
    : {
        sku: product.sku,
        ean: product.eans[0] ?? null,
        sentHash: hash,
        productUpdatedAt: row.product.updatedAt,
        updatedAt: nowIso(),
      }
  const statements: Statement[] = refusal
    ? logStatements(run, [{ row, result: 'rejected', rule: 'WM5', reason: `Wemalo refused the change: ${refusal}` }])
    : []
  statements.push(
    run.db
      .update(warehouseProducts)
      .set(sent)
      .where(
        and(
          eq(warehouseProducts.destinationId, run.destination.id),
          eq(warehouseProducts.productId, row.product.id),
          eq(warehouseProducts.state, 'sent')
        )
      )
  )
  await writeBatch(run.db, statements)
}
