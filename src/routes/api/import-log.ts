/** The import log: every import decision, with the rule that decided a skip or rejection. */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { listImportLog } from '../../read-models/import-log'
import { dbOf, tenantOf } from './context'
import { CursorQuery, errorResponses, json } from './schemas'

const Entry = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    kind: z.string(),
    externalId: z.string().nullable(),
    orderId: z.string().nullable().openapi({ description: "The hub's order this line is about, when there is one" }),
    result: z.string(),
    rule: z.string().nullable(),
    reason: z.string().nullable(),
    at: z.string(),
  })
  .openapi('ImportLogEntry')

export const importLogRoutes = apiRouter().openapi(
  createRoute({
    method: 'get',
    path: '/import-log',
    operationId: 'listImportLog',
    tags: ['operations'],
    summary: 'Import decisions, newest first',
    request: {
      // Strict: a parameter this route does not know is a 400, never a filter silently ignored.
      query: z
        .object({
          connectionId: z.string().optional(),
          kind: z.enum(['order', 'product', 'customer', 'return']).optional(),
          externalId: z.string().min(1).optional(),
          result: z.enum(['created', 'updated', 'unchanged', 'duplicate', 'skipped', 'rejected', 'failed']).optional(),
          rule: z.string().min(1).optional(),
          ...CursorQuery,
        })
        .strict(),
    },
    responses: {
      200: json(z.object({ items: z.array(Entry), nextCursor: z.string().nullable() }), 'Entries'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { limit, ...filters } = c.req.valid('query')
    return c.json(await listImportLog(dbOf(c), tenantOf(c, 'read'), filters, limit), 200)
  }
)
