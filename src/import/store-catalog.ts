/**
 * Products and customers that arrive on their own (product and customer webhooks, catalogue
 * polls), not as part of an order. P3–P5 apply as in orders; a product update never changes its
 * dimensions once known (BB5), and, where the connector asks for it, never gives it an SKU or
 * EAN another product has (BB4).
 */
import { and, eq, ne, or, sql } from 'drizzle-orm'
import type { ImportResult, IncomingCustomer, IncomingProduct } from '../core/model'
import { type Database, nowIso } from '../db/client'
import { categories, mappings, products } from '../db/schema'
import { writeBatch } from '../db/write-batch'
import { guardStatement, isGuardFailure, StaleSnapshotError } from '../db/write-guard'
import { customerStatements } from './customer-statements'
import type { Statement } from './order-batch'
import { productRows } from './product-rows'
import type { ImportScope } from './store-order'

type Outcome = { result: ImportResult; rule?: string; reason?: string }

/** How often a product is planned again after another writer changed it between read and write. */
const MAX_PRODUCT_PLANS = 5

/**
 * Imports one product. The write holds only while the product is as it was read: the batch
 * carries guards (compare-and-set) on the row's existence and `updated_at`, and on no other
 * product holding its SKU or EAN where that is refused (BB4). When another writer got there first,
 * the product is read and planned again, so a concurrent twin ends `unchanged`, never `created` twice.
 */
export async function importProduct(db: Database, scope: ImportScope, product: IncomingProduct): Promise<Outcome> {
  for (let planNumber = 1; ; planNumber++) {
    try {
      return await planAndWriteProduct(db, scope, product)
    } catch (error) {
      if (!isGuardFailure(error)) throw error
      if (planNumber >= MAX_PRODUCT_PLANS) throw new StaleSnapshotError(`product ${product.externalId ?? product.sku}`)
    }
  }
}

async function planAndWriteProduct(db: Database, scope: ImportScope, product: IncomingProduct): Promise<Outcome> {
  const { row, category } = await productRows(scope, product)
  const codes = scope.rejectsDuplicateProductCodes
    ? [
        product.sku ? eq(products.sku, product.sku) : undefined,
        product.ean ? eq(products.ean, product.ean) : undefined,
      ].filter((condition) => condition !== undefined)
    : []
  const collides = and(
    eq(products.tenantId, scope.tenantId),
    ne(products.id, row.id),
    codes.length ? or(...codes) : sql`0`
  )
  const [existing, collision] = await db.batch([
    db.select().from(products).where(eq(products.id, row.id)),
    db.select({ id: products.id, sku: products.sku, ean: products.ean }).from(products).where(collides).limit(1),
  ])
  if (collision[0]) {
    const field = product.sku && collision[0].sku === product.sku ? `SKU ${product.sku}` : `EAN ${product.ean}`
    return {
      result: 'rejected',
      rule: scope.rejectsDuplicateProductCodes,
      reason: `${field} belongs to another product (${collision[0].id})`,
    }
  }
  const current = existing[0]
  const unchanged =
    current &&
    current.name === row.name &&
    current.description === row.description &&
    current.sku === row.sku &&
    current.ean === row.ean &&
    current.code === row.code &&
    current.categoryId === row.categoryId &&
    JSON.stringify(current.components) === JSON.stringify(row.components) &&
    (current.dimensions !== null || row.dimensions === null)
  if (unchanged) return { result: 'unchanged' }

  const statements: Statement[] = []
  if (codes.length) {
    // BB4 holds at the write too: no other product took the SKU or EAN since the read.
    statements.push(
      guardStatement(
        db,
        sql`not exists (select 1 from ${products} where ${products.tenantId} = ${scope.tenantId}
          and ${products.id} <> ${row.id} and (${or(...codes)}))`
      )
    )
  }
  if (category) statements.push(db.insert(categories).values(category).onConflictDoNothing())
  if (current) {
    // Still as read: nobody wrote the product since.
    statements.push(
      guardStatement(
        db,
        sql`exists (select 1 from ${products} where ${products.id} = ${row.id} and ${products.updatedAt} = ${current.updatedAt})`
      ),
      db
        .update(products)
        .set({
          // BB5: dimensions are frozen once known; a product first met in an order gets them here.
          dimensions: current.dimensions ?? row.dimensions,
          name: row.name,
          description: row.description,
          sku: row.sku,
          ean: row.ean,
          code: row.code,
          categoryId: row.categoryId,
          type: row.type,
          components: row.components,
          updatedAt: laterThan(current.updatedAt),
        })
        .where(eq(products.id, row.id))
    )
  } else {
    // Still absent: a concurrent twin that inserted it first makes this batch plan again.
    statements.push(
      guardStatement(db, sql`not exists (select 1 from ${products} where ${products.id} = ${row.id})`),
      db.insert(products).values(row)
    )
  }
  if (product.externalId) {
    statements.push(
      db
        .insert(mappings)
        .values({
          connectionId: scope.connectionId,
          kind: 'product',
          externalId: product.externalId,
          internalId: row.id,
        })
        .onConflictDoNothing()
    )
  }
  await writeBatch(db, statements)
  return { result: current ? 'updated' : 'created' }
}

/** Now, or a millisecond after `previous` when the clock has not moved past it: every write changes `updated_at`. */
function laterThan(previous: string): string {
  const now = nowIso()
  return now > previous ? now : new Date(Date.parse(previous) + 1).toISOString()
}

export async function importCustomer(db: Database, scope: ImportScope, customer: IncomingCustomer): Promise<Outcome> {
  const name = `${customer.firstName ?? ''} ${customer.lastName ?? ''}`.trim().toLowerCase()
  const { statements, customerId } = await customerStatements(db, scope, customer, `name:${scope.connectionId}:${name}`)
  const mapping = customer.externalId
    ? [
        db.run(sql`insert into ${mappings} (connection_id, kind, external_id, internal_id)
        values (${scope.connectionId}, 'customer', ${customer.externalId}, ${customerId}) on conflict do nothing`),
      ]
    : []
  const results = await writeBatch(db, [...statements, ...mapping])
  const inserted = results[0]?.meta.changes ?? 0
  return {
    result: inserted ? 'created' : 'unchanged',
    rule: inserted ? undefined : 'C3',
    reason: inserted ? undefined : 'a contact with this phone or email exists',
  }
}
