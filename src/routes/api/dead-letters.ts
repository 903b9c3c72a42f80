/**
 * Dead letters: messages that failed for good, listed for operators and replayable one by one
 * or since a point in time. A replay sends the original message to its queue again.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { replayDeadLettersSince, replayDeadLetter } from '../../queue/replay'
import { listDeadLetters, visibleDeadLetter, visibleTo } from '../../read-models/dead-letters'
import { requireScope } from './auth'
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
      const visible = visibleTo(caller, c.req.header('x-tenant-id'))
      return c.json(await listDeadLetters(dbOf(c), visible, { cursor, limit, pendingOnly: pending === 'true' }), 200)
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
      const row = await visibleDeadLetter(db, visibleTo(caller, c.req.header('x-tenant-id')), c.req.valid('param').id)
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
