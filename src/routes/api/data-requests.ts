/**
 * What Kontor holds about a customer, collected when a platform asked (Shopify's
 * customers/data_request, src/import/privacy.ts), for the merchant to pass on. Admin scope: the
 * collected data is personal.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { and, desc, eq, lt, or } from 'drizzle-orm'
import { ApiError, notFound } from '../../core/errors'
import { decodeCursor, encodeCursor } from '../../db/keyset'
import { dataRequests } from '../../db/schema'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { Anything, CursorQuery, errorResponses, IdParam, json } from './schemas'

const Customer = z.object({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  externalId: z.string().nullable(),
})

const Summary = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    externalId: z.string().openapi({ description: "The platform's id of the request" }),
    customer: Customer,
    createdAt: z.string(),
  })
  .openapi('DataRequestSummary')

const DataRequest = Summary.extend({
  data: Anything.openapi({ description: 'customers, orders (with lines and events), importLog, truncated' }),
}).openapi('DataRequest')

export const dataRequestRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/data-requests',
      operationId: 'listDataRequests',
      tags: ['privacy'],
      summary: "Customers' data requests received from the platforms, newest first",
      request: { query: z.object({ ...CursorQuery }) },
      responses: {
        200: json(z.object({ items: z.array(Summary), nextCursor: z.string().nullable() }), 'Data requests'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const query = c.req.valid('query')
      const cursor = query.cursor ? decodeCursor(query.cursor) : null
      if (query.cursor && !cursor) throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API gave out')
      const rows = await dbOf(c)
        .select({
          id: dataRequests.id,
          connectionId: dataRequests.connectionId,
          externalId: dataRequests.externalId,
          customer: dataRequests.customer,
          createdAt: dataRequests.createdAt,
        })
        .from(dataRequests)
        .where(
          and(
            eq(dataRequests.tenantId, tenantId),
            cursor
              ? or(
                  lt(dataRequests.createdAt, cursor[0]),
                  and(eq(dataRequests.createdAt, cursor[0]), lt(dataRequests.id, cursor[1]))
                )
              : undefined
          )
        )
        .orderBy(desc(dataRequests.createdAt), desc(dataRequests.id))
        .limit(query.limit + 1)
      const items = rows.slice(0, query.limit) as z.infer<typeof Summary>[]
      const last = items[items.length - 1]
      return c.json(
        { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null },
        200
      )
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/data-requests/{id}',
      operationId: 'getDataRequest',
      tags: ['privacy'],
      summary: 'One data request with everything collected',
      request: { params: IdParam },
      responses: { 200: json(DataRequest, 'The data request'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const row = await dbOf(c)
        .select()
        .from(dataRequests)
        .where(and(eq(dataRequests.id, c.req.valid('param').id), eq(dataRequests.tenantId, tenantId)))
        .get()
      if (!row) throw notFound('data request')
      const { tenantId: _tenant, ...request } = row
      return c.json(request as z.infer<typeof DataRequest>, 200)
    }
  )
