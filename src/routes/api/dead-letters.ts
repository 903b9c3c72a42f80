/**
 * Dead letters: messages that failed for good, listed for operators and replayable one by one
 * or since a point in time. A replay sends the original message to its queue again.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { and, asc, eq, gt, isNull, type SQL } from 'drizzle-orm'
import { notFound } from '../../core/errors'
import { deadLetters } from '../../db/schema'
import { replayDeadLettersSince, replayDeadLetter } from '../../queue/replay'
import { type Caller, requireScope } from './auth'
import { dbOf } from './context'
import { actorOf } from '../../audit/audit-log'
import { CursorQuery, errorResponses, IdParam, json, jsonBody } from './schemas'

const DeadLetter = z
  .object({
    id: z.string(),
    queue: z.string(),
    body: z.unknown(),
    error: z.string().nullable(),
    attempts: z.number(),
    createdAt: z.string(),
    replayedAt: z.string().nullable(),
  })
  .openapi('DeadLetter')

/**
 * A tenant sees only its own dead letters. The operator sees those of the tenant it picked with
 * `X-Tenant-Id` (as on every other route), and every tenant's without that header.
 */
export function visibleTo(caller: Caller, requestedTenant?: string | null): SQL | undefined {
  if (caller.kind === 'tenant') return eq(deadLetters.tenantId, caller.tenantId)
  return requestedTenant ? eq(deadLetters.tenantId, requestedTenant) : undefined
}

export const deadLetterRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/dead-letters',
      operationId: 'listDeadLetters',
      tags: ['operations'],
      summary: 'Messages that failed for good',
      request: { query: z.object({ ...CursorQuery, pending: z.enum(['true', 'false']).optional() }) },
      responses: {
        200: json(z.object({ items: z.array(DeadLetter), nextCursor: z.string().nullable() }), 'Dead letters'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const caller = c.get('caller')
      requireScope(caller, 'read')
      const { cursor, limit, pending } = c.req.valid('query')
      const rows = await dbOf(c)
        .select()
        .from(deadLetters)
        .where(
          and(
            visibleTo(caller, c.req.header('x-tenant-id')),
            cursor ? gt(deadLetters.id, cursor) : undefined,
            pending === 'true' ? isNull(deadLetters.replayedAt) : undefined
          )
        )
        .orderBy(asc(deadLetters.id))
        .limit(limit + 1)
      const items = rows.slice(0, limit).map(({ tenantId: _tenant, ...row }) => row)
      return c.json({ items, nextCursor: rows.length > limit ? items[items.length - 1].id : null }, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/dead-letters/{id}/replay',
      operationId: 'replayDeadLetter',
      tags: ['operations'],
      summary: 'Send one dead letter to its queue again',
      request: { params: IdParam },
      responses: { 202: json(z.object({ replayed: z.number() }), 'Replayed'), ...errorResponses },
    }),
    async (c) => {
      const caller = c.get('caller')
      requireScope(caller, 'admin')
      const db = dbOf(c)
      const row = await db
        .select()
        .from(deadLetters)
        .where(and(eq(deadLetters.id, c.req.valid('param').id), visibleTo(caller, c.req.header('x-tenant-id'))))
        .get()
      if (!row) throw notFound('dead letter')
      await replayDeadLetter(c.env, db, row, actorOf(caller))
      return c.json({ replayed: 1 }, 202)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/dead-letters/replay',
      operationId: 'replayDeadLetters',
      tags: ['operations'],
      summary: 'Replay every dead letter not yet replayed since a time',
      request: jsonBody(z.object({ since: z.string().datetime({ offset: true }) })),
      responses: { 202: json(z.object({ replayed: z.number() }), 'Replayed'), ...errorResponses },
    }),
    async (c) => {
      const caller = c.get('caller')
      requireScope(caller, 'admin')
      const db = dbOf(c)
      const since = new Date(c.req.valid('json').since).toISOString()
      const visible = visibleTo(caller, c.req.header('x-tenant-id'))
      const replayed = await replayDeadLettersSince(c.env, db, visible, since, actorOf(caller))
      return c.json({ replayed }, 202)
    }
  )
