/**
 * The delivery log (issue 19): every inbound webhook request of the tenant's connections, with
 * its masked headers, body, verification, Kontor's answer and what it became. Transport only:
 * src/read-models/delivery-log.ts reads it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { notFound } from '../../core/errors'
import { deliveryDetail, listDeliveries } from '../../read-models/delivery-log'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, errorResponses, IdParam, json } from './schemas'

const Result = z.enum(['accepted', 'refused']).openapi({ description: '`accepted`: answered 2xx; `refused`: not' })
const Processing = z
  .enum(['imported', 'closed', 'dead-lettered', 'pending'])
  .nullable()
  .openapi({ description: 'Where an accepted delivery stands in the import; null when it never reached it' })

const Summary = {
  id: z.string(),
  connectionId: z.string(),
  receivedAt: z.string(),
  method: z.string(),
  url: z.string().openapi({ description: 'Path and query string, secret parameters masked' }),
  result: z.string().openapi({ example: 'refused' }),
  verification: z.string().openapi({ description: '`verified`, `failed` or `not checked`' }),
  reason: z.string().nullable().openapi({ description: 'Why, in words (a refusal, a ping, an ignored topic)' }),
  answerStatus: z.number().int(),
  deliveryKey: z.string().nullable(),
  topic: z.string().nullable(),
  bodyBytes: z.number().int(),
  unrecorded: z
    .number()
    .int()
    .openapi({ description: 'Refused requests of the same connection and minute past the cap, counted only' }),
  processing: Processing,
}

const DeliverySummary = z.object(Summary).openapi('InboundDelivery')

const DeliveryDetail = z
  .object({
    ...Summary,
    headers: z.array(z.tuple([z.string(), z.string()])).openapi({ description: 'As received, secrets masked' }),
    answerBody: z.string(),
    body: z.object({
      text: z.string().nullable(),
      source: z.enum(['inbox', 'request', 'removed by retention', 'not read']),
      truncated: z.boolean(),
    }),
    inbox: z
      .object({
        id: z.string(),
        processedAt: z.string().nullable(),
        deadLetteredAt: z.string().nullable(),
        finalReason: z.string().nullable(),
      })
      .nullable(),
    orders: z.array(
      z.object({
        orderId: z.string(),
        externalId: z.string(),
        result: z.string(),
        number: z.string().nullable(),
        status: z.string().nullable(),
      })
    ),
    importLog: z.array(
      z.object({
        id: z.string(),
        connectionId: z.string(),
        kind: z.string(),
        externalId: z.string().nullable(),
        result: z.string(),
        rule: z.string().nullable(),
        reason: z.string().nullable(),
        at: z.string(),
      })
    ),
    deadLetters: z.array(
      z.object({
        id: z.string(),
        error: z.string().nullable(),
        attempts: z.number(),
        createdAt: z.string(),
        replayedAt: z.string().nullable(),
      })
    ),
    requests: z
      .array(z.object({ id: z.string(), receivedAt: z.string(), answerStatus: z.number().int() }))
      .openapi({ description: 'Every request that brought the same delivery (redeliveries), this one included' }),
  })
  .openapi('InboundDeliveryDetail')

export const webhookDeliveryRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-deliveries',
      operationId: 'listInboundWebhookDeliveries',
      tags: ['operations'],
      summary: 'Inbound webhook requests, newest first',
      request: {
        // Strict: a parameter this route does not know is a 400, never a filter silently ignored.
        query: z
          .object({ connectionId: z.string().min(1).optional(), result: Result.optional(), ...CursorQuery })
          .strict(),
      },
      responses: {
        200: json(z.object({ items: z.array(DeliverySummary), nextCursor: z.string().nullable() }), 'Requests'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query')
      return c.json(await listDeliveries(dbOf(c), tenantOf(c, 'read'), filters, limit), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-deliveries/{id}',
      operationId: 'getInboundWebhookDelivery',
      tags: ['operations'],
      summary: 'One inbound webhook request: headers, body, answer and what it became',
      request: { params: IdParam },
      responses: { 200: json(DeliveryDetail, 'The request'), ...errorResponses },
    }),
    async (c) => {
      const detail = await deliveryDetail(dbOf(c), tenantOf(c, 'read'), c.req.valid('param').id)
      if (!detail) throw notFound('webhook delivery')
      return c.json(detail, 200)
    }
  )
