/** The import log: every import decision, with the rule that decided a skip or rejection. */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { and, desc, eq, lt, or } from 'drizzle-orm'
import { ApiError } from '../../core/errors'
import { decodeCursor, encodeCursor } from '../../db/keyset'
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
        kind: z.enum(['order', 'product', 'customer']).optional(),
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
    const cursor = query.cursor ? decodeCursor(query.cursor) : null
    if (query.cursor && !cursor) throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API gave out')
    const rows = await dbOf(c)
      .select()
      .from(importLog)
      .where(
        and(
          eq(importLog.tenantId, tenantId),
          query.connectionId ? eq(importLog.connectionId, query.connectionId) : undefined,
          query.kind ? eq(importLog.kind, query.kind) : undefined,
          query.result ? eq(importLog.result, query.result) : undefined,
          cursor
            ? or(lt(importLog.at, cursor[0]), and(eq(importLog.at, cursor[0]), lt(importLog.id, cursor[1])))
            : undefined
        )
      )
      .orderBy(desc(importLog.at), desc(importLog.id))
      .limit(query.limit + 1)
    const items = rows.slice(0, query.limit).map(({ tenantId: _tenant, ...entry }) => entry)
    const last = items[items.length - 1]
    return c.json({ items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.at, last.id) : null }, 200)
  }
)
