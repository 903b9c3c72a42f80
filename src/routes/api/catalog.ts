/** Read-only lists of what imports put in the hub: products, customers, categories. */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { listCategories, listCustomers, listProducts } from '../../read-models/catalog'
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

export const catalogRoutes = apiRouter()
  .openapi(listRoute('/products', 'listProducts', 'Products'), async (c) =>
    c.json(await listProducts(dbOf(c), tenantOf(c, 'read'), c.req.valid('query')), 200)
  )
  .openapi(listRoute('/customers', 'listCustomers', 'Customers'), async (c) =>
    c.json(await listCustomers(dbOf(c), tenantOf(c, 'read'), c.req.valid('query')), 200)
  )
  .openapi(listRoute('/categories', 'listCategories', 'Categories'), async (c) =>
    c.json(await listCategories(dbOf(c), tenantOf(c, 'read'), c.req.valid('query')), 200)
  )
