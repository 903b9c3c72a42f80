/** The import log: every import decision, with the rule that decided a skip or rejection. */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { and, desc, eq } from 'drizzle-orm'
import { afterCursor, keysetPage } from '../../db/keyset'
import { importLog } from '../../db/schema'
import { dbOf, tenantOf } from './context'
import { CursorQuery, errorResponses, json } from './schemas'

const Entry = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    kind: z.string(),
    externalId: z.string().nullable(),
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
      query: z.object({
        connectionId: z.string().optional(),
        kind: z.enum(['order', 'product', 'customer', 'return']).optional(),
        result: z.enum(['created', 'updated', 'unchanged', 'duplicate', 'skipped', 'rejected', 'failed']).optional(),
        ...CursorQuery,
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(Entry), nextCursor: z.string().nullable() }), 'Entries'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const tenantId = tenantOf(c, 'read')
    const query = c.req.valid('query')
    const rows = await dbOf(c)
      .select()
      .from(importLog)
      .where(
        and(
          eq(importLog.tenantId, tenantId),
          query.connectionId ? eq(importLog.connectionId, query.connectionId) : undefined,
          query.kind ? eq(importLog.kind, query.kind) : undefined,
          query.result ? eq(importLog.result, query.result) : undefined,
          afterCursor(query.cursor, importLog.at, importLog.id)
        )
      )
      .orderBy(desc(importLog.at), desc(importLog.id))
      .limit(query.limit + 1)
    const { page, nextCursor } = keysetPage(rows, query.limit, (row) => [row.at, row.id])
    return c.json({ items: page.map(({ tenantId: _tenant, ...entry }) => entry), nextCursor }, 200)
  }
)
