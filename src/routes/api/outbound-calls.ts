/** Every call Kontor made to a platform, a destination or a hub endpoint, with its result (§3). */
import { createRoute, z } from '@hono/zod-openapi'
import { listOutboundCalls } from '../../read-models/outbound-calls'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, errorResponses, json } from './schemas'

const OutboundCall = z
  .object({
    id: z.string(),
    connectionId: z.string().openapi({ description: 'The connection, or the hub webhook endpoint, called' }),
    orderId: z.string().nullable(),
    action: z.string().openapi({ example: 'write-back:shipped:package:1Z999' }),
    result: z
      .string()
      .openapi({ description: 'started | done | failed | not_applicable (and sent, confirmed, refused …)' }),
    detail: z.string().nullable(),
    attempts: z.number().int(),
    at: z.string(),
  })
  .openapi('OutboundCall')

export const outboundCallRoutes = apiRouter().openapi(
  createRoute({
    method: 'get',
    path: '/outbound-calls',
    operationId: 'listOutboundCalls',
    tags: ['operations'],
    summary: 'Outbound calls, newest first',
    request: {
      query: z.object({
        orderId: z.string().max(100).optional(),
        connectionId: z.string().max(100).optional(),
        result: z.string().max(40).optional(),
        ...CursorQuery,
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(OutboundCall), nextCursor: z.string().nullable() }), 'Calls'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { limit, ...filters } = c.req.valid('query')
    return c.json(await listOutboundCalls(dbOf(c), tenantOf(c, 'read'), filters, limit), 200)
  }
)
