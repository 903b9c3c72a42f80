/** Read-only lists of what imports put in the hub: products, customers, categories. */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { and, asc, eq, gt } from 'drizzle-orm'
import { categories, customers, products } from '../../db/schema'
import { dbOf, tenantOf } from './context'
import { Anything, CursorQuery, errorResponses, json } from './schemas'

const Page = z.object({ items: z.array(Anything), nextCursor: z.string().nullable() })

function listRoute(path: string, operationId: string, summary: string) {
  return createRoute({
    method: 'get',
    path,
    operationId,
    tags: ['catalogue'],
    summary,
    request: { query: z.object(CursorQuery) },
    responses: { 200: json(Page, summary), ...errorResponses },
  })
}

/** Keyset page over a tenant's rows by id. */
function page<T extends { id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null }
}

export const catalogRoutes = apiRouter()
  .openapi(listRoute('/products', 'listProducts', 'Products'), async (c) => {
    const tenantId = tenantOf(c, 'read')
    const { cursor, limit } = c.req.valid('query')
    const rows = await dbOf(c)
      .select()
      .from(products)
      .where(and(eq(products.tenantId, tenantId), cursor ? gt(products.id, cursor) : undefined))
      .orderBy(asc(products.id))
      .limit(limit + 1)
    return c.json(page(rows, limit), 200)
  })
  .openapi(listRoute('/customers', 'listCustomers', 'Customers'), async (c) => {
    const tenantId = tenantOf(c, 'read')
    const { cursor, limit } = c.req.valid('query')
    const rows = await dbOf(c)
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
    return c.json(page(rows, limit), 200)
  })
  .openapi(listRoute('/categories', 'listCategories', 'Categories'), async (c) => {
    const tenantId = tenantOf(c, 'read')
    const { cursor, limit } = c.req.valid('query')
    const rows = await dbOf(c)
      .select({ id: categories.id, name: categories.name })
      .from(categories)
      .where(and(eq(categories.tenantId, tenantId), cursor ? gt(categories.id, cursor) : undefined))
      .orderBy(asc(categories.id))
      .limit(limit + 1)
    return c.json(page(rows, limit), 200)
  })
