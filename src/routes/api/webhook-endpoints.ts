/**
 * Hub webhook endpoints (HW1): a tenant registers a URL and the event types it wants; Kontor
 * signs every delivery per Standard Webhooks with the endpoint's secret (`whsec_…`, shown only
 * when the endpoint is created or its secret rotated). Endpoints can be changed, disabled (their
 * deliveries wait) and rotated; deliveries are listed per endpoint with every attempt and can be
 * replayed. Transport over src/hub/endpoints.ts.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { actorOf } from '../../audit/audit-log'
import { allowInsecureUrls } from '../../core/url-policy'
import { keyringOf } from '../../core/crypto'
import { ApiError } from '../../core/errors'
import { ORDER_EVENT_TYPES } from '../../core/model'
import { unsafeUrlReason } from '../../core/url-safety'
import type { Bindings } from '../../env'
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  listDeliveries,
  listEndpoints,
  ownEndpoint,
  presentEndpoint,
  replayDelivery,
  rotateEndpointSecret,
  updateEndpoint,
} from '../../hub/endpoints'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, errorResponses, IdParam, json, jsonBody } from './schemas'

export const HUB_EVENT_TYPES = ['order.imported', 'order.updated', ...ORDER_EVENT_TYPES.map((type) => `order.${type}`)]

const EventTypes = z
  .array(z.enum(['*', ...HUB_EVENT_TYPES] as [string, ...string[]]))
  .min(1)
  .max(HUB_EVENT_TYPES.length + 1)
  .openapi({ description: '`["*"]` for every event type', example: ['order.imported', 'order.shipped'] })

const Url = z.string().min(1).max(2000)
const CreateEndpoint = z.object({ url: Url, events: EventTypes })
const UpdateEndpoint = z
  .object({
    url: Url.optional(),
    events: EventTypes.optional(),
    disabled: z.boolean().optional().openapi({
      description:
        'While true, deliveries wait; once false again they go out in order, unless older than the retention',
    }),
  })
  .openapi('WebhookEndpointChange')
const Endpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    createdAt: z.string(),
    disabled: z.boolean(),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable().openapi({
      description: 'Why: disabled through the API, or failing for 5 days (with the last error)',
    }),
    failingSince: z.string().nullable().openapi({ description: 'The first failed attempt since the last success' }),
    previousSecretValidUntil: z.string().nullable().openapi({
      description: 'After a rotation, until when the previous secret still signs beside the new one',
    }),
  })
  .openapi('WebhookEndpoint')
const EndpointWithSecret = Endpoint.extend({
  secret: z.string().openapi({ description: 'whsec_ + base64; shown only in this response' }),
}).openapi('CreatedWebhookEndpoint')
const Delivery = z
  .object({
    id: z.string().openapi({ description: 'Also the webhook-id header of every attempt' }),
    type: z.string(),
    orderId: z.string(),
    state: z.string().openapi({ description: 'pending | held (the endpoint is disabled) | delivered | failed' }),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookDelivery')
const Attempt = z
  .object({
    at: z.string(),
    status: z.number().int().nullable().openapi({ description: 'The HTTP status; null when there was no answer' }),
    error: z.string().nullable().openapi({ description: 'The network error or the non-2xx answer in words' }),
    durationMs: z.number().int(),
    response: z.string().nullable().openapi({ description: 'The first 1 KB of the answer’s body' }),
  })
  .openapi('WebhookDeliveryAttempt')
const DeliveryWithAttempts = Delivery.extend({ attemptHistory: z.array(Attempt) }).openapi('WebhookDeliveryDetail')
const DeliveryParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
  deliveryId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'deliveryId', in: 'path' } }),
})

function checkUrl(env: Bindings, url: string | undefined) {
  const unsafe = url === undefined ? null : unsafeUrlReason(url, allowInsecureUrls(env))
  if (unsafe) throw new ApiError(400, 'invalid_request', `url: ${url} ${unsafe}`)
}

const TAGS = ['hub webhooks']

export const webhookEndpointRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints',
      operationId: 'createWebhookEndpoint',
      tags: TAGS,
      summary: 'Register a hub webhook endpoint (HW1); the secret is shown once',
      request: jsonBody(CreateEndpoint),
      responses: { 201: json(EndpointWithSecret, 'The endpoint with its signing secret'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const body = c.req.valid('json')
      checkUrl(c.env, body.url)
      return c.json(await createEndpoint(dbOf(c), keyringOf(c.env), actorOf(c.get('caller')), tenantId, body), 201)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints',
      operationId: 'listWebhookEndpoints',
      tags: TAGS,
      summary: 'List hub webhook endpoints',
      responses: { 200: json(z.object({ items: z.array(Endpoint) }), 'Endpoints'), ...errorResponses },
    }),
    async (c) => c.json({ items: await listEndpoints(dbOf(c), tenantOf(c, 'read')) }, 200)
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}',
      operationId: 'getWebhookEndpoint',
      tags: TAGS,
      summary: 'Read a hub webhook endpoint (never its secret)',
      request: { params: IdParam },
      responses: { 200: json(Endpoint, 'The endpoint'), ...errorResponses },
    }),
    async (c) => c.json(presentEndpoint(await ownEndpoint(dbOf(c), tenantOf(c, 'read'), c.req.valid('param').id)), 200)
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/webhook-endpoints/{id}',
      operationId: 'updateWebhookEndpoint',
      tags: TAGS,
      summary: 'Change url, events, or disable / enable a hub webhook endpoint',
      request: { params: IdParam, ...jsonBody(UpdateEndpoint) },
      responses: { 200: json(Endpoint, 'The endpoint'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const body = c.req.valid('json')
      checkUrl(c.env, body.url)
      const endpoint = await updateEndpoint(
        dbOf(c),
        c.env.DISPATCH,
        actorOf(c.get('caller')),
        tenantId,
        c.req.valid('param').id,
        body
      )
      return c.json(endpoint, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints/{id}/rotate-secret',
      operationId: 'rotateWebhookEndpointSecret',
      tags: TAGS,
      summary: 'A new signing secret, shown once; the old one keeps signing beside it for 24 hours',
      request: { params: IdParam },
      responses: { 200: json(EndpointWithSecret, 'The endpoint with its new secret'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const rotated = await rotateEndpointSecret(
        dbOf(c),
        keyringOf(c.env),
        actorOf(c.get('caller')),
        tenantId,
        c.req.valid('param').id
      )
      return c.json(rotated, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/webhook-endpoints/{id}',
      operationId: 'deleteWebhookEndpoint',
      tags: TAGS,
      summary: 'Remove a hub webhook endpoint; pending deliveries to it end as failed',
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      await deleteEndpoint(dbOf(c), actorOf(c.get('caller')), tenantId, c.req.valid('param').id)
      return c.body(null, 204)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}/deliveries',
      operationId: 'listWebhookDeliveries',
      tags: TAGS,
      summary: 'Deliveries to an endpoint, newest first',
      request: { params: IdParam, query: z.object(CursorQuery) },
      responses: {
        200: json(z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() }), 'Deliveries'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(await listDeliveries(dbOf(c), tenantOf(c, 'read'), c.req.valid('param').id, c.req.valid('query')), 200)
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}/deliveries/{deliveryId}',
      operationId: 'getWebhookDelivery',
      tags: TAGS,
      summary: 'One delivery with every attempt: when, status or error, duration, the first 1 KB of the answer',
      request: { params: DeliveryParams },
      responses: { 200: json(DeliveryWithAttempts, 'The delivery and its attempts'), ...errorResponses },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param')
      return c.json(await getDelivery(dbOf(c), tenantOf(c, 'read'), id, deliveryId), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints/{id}/deliveries/{deliveryId}/replay',
      operationId: 'replayWebhookDelivery',
      tags: TAGS,
      summary: 'Send a delivery again (same body and webhook-id)',
      request: { params: DeliveryParams },
      responses: { 202: json(z.object({ replayed: z.boolean() }), 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param')
      const tenantId = tenantOf(c, 'admin')
      await replayDelivery(dbOf(c), c.env.DISPATCH, actorOf(c.get('caller')), tenantId, id, deliveryId)
      return c.json({ replayed: true }, 202)
    }
  )
