/**
 * What Kontor holds about a customer, collected when a platform asked (Shopify's
 * customers/data_request, src/import/privacy.ts), for the merchant to pass on. Admin scope: the
 * collected data is personal.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { listDataRequests, readDataRequest } from '../../read-models/data-requests'
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
      const { items, nextCursor } = await listDataRequests(dbOf(c), tenantOf(c, 'admin'), c.req.valid('query'))
      return c.json({ items: items as z.infer<typeof Summary>[], nextCursor }, 200)
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
      const request = await readDataRequest(dbOf(c), tenantOf(c, 'admin'), c.req.valid('param').id)
      return c.json(request as z.infer<typeof DataRequest>, 200)
    }
  )
