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
import { customerStatements, type ImportScope, productRows, type Statement } from './store-order'

type Outcome = { result: ImportResult; rule?: string; reason?: string }

export async function importProduct(db: Database, scope: ImportScope, product: IncomingProduct): Promise<Outcome> {
  const { row, category } = await productRows(scope, product)
  const codes = scope.rejectsDuplicateProductCodes
    ? [
        product.sku ? eq(products.sku, product.sku) : undefined,
        product.ean ? eq(products.ean, product.ean) : undefined,
      ].filter(Boolean)
    : []
  const [existing, collision] = await db.batch([
    db.select().from(products).where(eq(products.id, row.id)),
    db
      .select({ id: products.id, sku: products.sku, ean: products.ean })
      .from(products)
      .where(and(eq(products.tenantId, scope.tenantId), ne(products.id, row.id), codes.length ? or(...codes) : sql`0`))
      .limit(1),
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
  if (category) statements.push(db.insert(categories).values(category).onConflictDoNothing())
  statements.push(
    db
      .insert(products)
      .values(row)
      .onConflictDoUpdate({
        target: products.id,
        set: {
          // BB5: dimensions are frozen once known; a product first met in an order gets them here.
          dimensions: sql`coalesce(${products.dimensions}, excluded.dimensions)`,
          name: row.name,
          description: row.description,
          sku: row.sku,
          ean: row.ean,
          code: row.code,
          categoryId: row.categoryId,
          type: row.type,
          components: row.components,
          updatedAt: nowIso(),
        },
      })
  )
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
