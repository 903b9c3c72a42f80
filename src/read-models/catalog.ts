/** What imports put in the hub's catalogue, as the API lists it: products, customers, categories, by id. */
import { and, asc, eq, gt } from 'drizzle-orm'
import type { Database } from '../db/client'
import { categories, customers, products } from '../db/schema'

type PageQuery = { cursor?: string; limit: number }

/** Keyset page over a tenant's rows by id. */
function page<T extends { id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null }
}

export async function listProducts(db: Database, tenantId: string, { cursor, limit }: PageQuery) {
  const rows = await db
    .select()
    .from(products)
    .where(and(eq(products.tenantId, tenantId), cursor ? gt(products.id, cursor) : undefined))
    .orderBy(asc(products.id))
    .limit(limit + 1)
  return page(rows, limit)
}

export async function listCustomers(db: Database, tenantId: string, { cursor, limit }: PageQuery) {
  const rows = await db
    .select({
      id: customers.id,
      firstName: customers.firstName,
      lastName: customers.lastName,
      email: customers.email,
      phone: customers.phone,
      address: customers.address,
      notSpecified: customers.notSpecified,
      createdAt: customers.createdAt,
    })
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), cursor ? gt(customers.id, cursor) : undefined))
    .orderBy(asc(customers.id))
    .limit(limit + 1)
  return page(rows, limit)
}

export async function listCategories(db: Database, tenantId: string, { cursor, limit }: PageQuery) {
  const rows = await db
    .select({ id: categories.id, name: categories.name })
    .from(categories)
    .where(and(eq(categories.tenantId, tenantId), cursor ? gt(categories.id, cursor) : undefined))
    .orderBy(asc(categories.id))
    .limit(limit + 1)
  return page(rows, limit)
}
