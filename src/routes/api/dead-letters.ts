/**
 * Dead letters: messages that failed for good, each with what it is about (step, connection,
 * order, the error in words), listed for operators and replayable one by one or by a filter
 * (since a time, a connection, a step, an error). A replay sends the original message again.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { DEAD_LETTER_STEP_IDS, type DeadLetterFilter } from '../../queue/dead-letter-context'
import { replayDeadLetter, replayDeadLettersMatching } from '../../queue/replay'
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
    step: z.enum(DEAD_LETTER_STEP_IDS).nullable().openapi({ description: 'The step that failed' }),
    stepLabel: z.string().openapi({ description: 'The step in words' }),
    connectionId: z
      .string()
      .nullable()
      .openapi({ description: 'The connection (or hub webhook endpoint) the message concerns' }),
    connectionName: z.string().nullable(),
    orderId: z.string().nullable().openapi({ description: 'The order the message concerns, when there is one' }),
    orderNumber: z.string().nullable(),
    deliveryKey: z.string().nullable().openapi({ description: 'The webhook delivery, for a failed import of one' }),
    errorClass: z.string().nullable().openapi({ description: "The error's class, e.g. RetryableError" }),
    reason: z.string().openapi({ description: 'The error in words' }),
  })
  .openapi('DeadLetter')

/** What a list or a replay can be narrowed to; every given filter must hold. */
export const DeadLetterFilterFields = {
  since: z.string().datetime({ offset: true }).optional().openapi({ description: 'Created at or after' }),
  connectionId: z.string().min(1).optional().openapi({ description: 'The connection or hub endpoint concerned' }),
  step: z.enum(DEAD_LETTER_STEP_IDS).optional(),
  error: z.string().min(1).max(2000).optional().openapi({ description: 'The exact error text' }),
  errorClass: z
    .string()
    .regex(/^[A-Z][A-Za-z]*Error$/, 'an error class such as RetryableError')
    .optional(),
}

/** The filters as the use case takes them: a time in UTC. */
function filterOf(input: DeadLetterFilter): DeadLetterFilter {
  return { ...input, since: input.since ? new Date(input.since).toISOString() : undefined }
}

export const deadLetterRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/dead-letters',
      operationId: 'listDeadLetters',
      tags: ['operations'],
      summary: 'Messages that failed for good',
      // Strict: a filter this route does not know is a 400, never silently ignored.
      request: {
        query: z
          .object({ ...CursorQuery, ...DeadLetterFilterFields, pending: z.enum(['true', 'false']).optional() })
          .strict(),
      },
      responses: {
        200: json(z.object({ items: z.array(DeadLetter), nextCursor: z.string().nullable() }), 'Dead letters'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const caller = c.get('caller')
      requireScope(caller, 'read')
      const { cursor, limit, pending, ...filter } = c.req.valid('query')
      const visible = visibleTo(caller, c.req.header('x-tenant-id'))
      const options = { ...filterOf(filter), cursor, limit, pendingOnly: pending === 'true' }
      return c.json(await listDeadLetters(dbOf(c), visible, options), 200)
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
      summary: 'Replay every dead letter not yet replayed that matches the filters (at least one)',
      request: jsonBody(
        z
          .object(DeadLetterFilterFields)
          .strict()
          .refine((filter) => Object.values(filter).some(Boolean), {
            message: 'give at least one filter: since, connectionId, step, error or errorClass',
          })
      ),
      responses: { 202: json(z.object({ replayed: z.number() }), 'Replayed'), ...errorResponses },
    }),
    async (c) => {
      const caller = c.get('caller')
      requireScope(caller, 'admin')
      const db = dbOf(c)
      const visible = visibleTo(caller, c.req.header('x-tenant-id'))
      const replayed = await replayDeadLettersMatching(
        c.env,
        db,
        visible,
        filterOf(c.req.valid('json')),
        actorOf(caller)
      )
      return c.json({ replayed }, 202)
    }
  )
