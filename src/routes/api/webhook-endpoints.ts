/**
 * Hub webhook endpoints (HW1): a tenant registers a URL and the event types it wants; Kontor
 * signs every delivery per Standard Webhooks with the endpoint's secret (`whsec_…`, shown only
 * when the endpoint is created). Deliveries are listed per endpoint and can be replayed.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { and, desc, eq, isNull } from 'drizzle-orm'
import { allowInsecureUrls } from '../../core/url-policy'
import { bytesToBase64, encryptJson, keyringOf } from '../../core/crypto'
import { ApiError, notFound } from '../../core/errors'
import { randomId } from '../../core/ids'
import { ORDER_EVENT_TYPES } from '../../core/model'
import { unsafeUrlReason } from '../../core/url-safety'
import { type Database, nowIso } from '../../db/client'
import { afterCursor, keysetPage } from '../../db/keyset'
import { webhookDeliveries, webhookEndpoints } from '../../db/schema'
import { replayHubDelivery } from '../../hub/replay-delivery'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, errorResponses, IdParam, json, jsonBody } from './schemas'

export const HUB_EVENT_TYPES = ['order.imported', 'order.updated', ...ORDER_EVENT_TYPES.map((type) => `order.${type}`)]

const EventTypes = z
  .array(z.enum(['*', ...HUB_EVENT_TYPES] as [string, ...string[]]))
  .min(1)
  .max(HUB_EVENT_TYPES.length + 1)
  .openapi({ description: '`["*"]` for every event type', example: ['order.imported', 'order.shipped'] })

const CreateEndpoint = z.object({ url: z.string().min(1).max(2000), events: EventTypes })
const Endpoint = z
  .object({ id: z.string(), url: z.string(), events: z.array(z.string()), createdAt: z.string() })
  .openapi('WebhookEndpoint')
const CreatedEndpoint = Endpoint.extend({
  secret: z.string().openapi({ description: 'whsec_ + base64; shown only in this response' }),
}).openapi('CreatedWebhookEndpoint')
const Delivery = z
  .object({
    id: z.string().openapi({ description: 'Also the webhook-id header of every attempt' }),
    type: z.string(),
    orderId: z.string(),
    state: z.string().openapi({ description: 'pending | delivered | failed' }),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookDelivery')
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

type EndpointRow = typeof webhookEndpoints.$inferSelect

const present = (row: EndpointRow) => ({ id: row.id, url: row.url, events: row.events, createdAt: row.createdAt })

async function ownEndpoint(db: Database, tenantId: string, id: string) {
  const row = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.tenantId, tenantId), isNull(webhookEndpoints.deletedAt))
    )
    .get()
  if (!row) throw notFound('webhook endpoint')
  return row
}

export const webhookEndpointRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints',
      operationId: 'createWebhookEndpoint',
      tags: ['hub webhooks'],
      summary: 'Register a hub webhook endpoint (HW1); the secret is shown once',
      request: jsonBody(CreateEndpoint),
      responses: { 201: json(CreatedEndpoint, 'The endpoint with its signing secret'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const body = c.req.valid('json')
      const unsafe = unsafeUrlReason(body.url, allowInsecureUrls(c.env))
      if (unsafe) throw new ApiError(400, 'invalid_request', `url: ${body.url} ${unsafe}`)
      const secret = `whsec_${bytesToBase64(crypto.getRandomValues(new Uint8Array(24)))}`
      const row: EndpointRow = {
        id: randomId('whe'),
        tenantId,
        url: body.url,
        events: [...new Set(body.events)],
        secret: await encryptJson(keyringOf(c.env), secret),
        createdAt: nowIso(),
        deletedAt: null,
      }
      await dbOf(c).insert(webhookEndpoints).values(row)
      return c.json({ ...present(row), secret }, 201)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints',
      operationId: 'listWebhookEndpoints',
      tags: ['hub webhooks'],
      summary: 'List hub webhook endpoints',
      responses: { 200: json(z.object({ items: z.array(Endpoint) }), 'Endpoints'), ...errorResponses },
    }),
    async (c) => {
      const rows = await dbOf(c)
        .select()
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.tenantId, tenantOf(c, 'read')), isNull(webhookEndpoints.deletedAt)))
      return c.json({ items: rows.map(present) }, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}',
      operationId: 'getWebhookEndpoint',
      tags: ['hub webhooks'],
      summary: 'Read a hub webhook endpoint (never its secret)',
      request: { params: IdParam },
      responses: { 200: json(Endpoint, 'The endpoint'), ...errorResponses },
    }),
    async (c) => c.json(present(await ownEndpoint(dbOf(c), tenantOf(c, 'read'), c.req.valid('param').id)), 200)
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/webhook-endpoints/{id}',
      operationId: 'deleteWebhookEndpoint',
      tags: ['hub webhooks'],
      summary: 'Remove a hub webhook endpoint; pending deliveries to it end as failed',
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const db = dbOf(c)
      const row = await ownEndpoint(db, tenantOf(c, 'admin'), c.req.valid('param').id)
      await db.update(webhookEndpoints).set({ deletedAt: nowIso() }).where(eq(webhookEndpoints.id, row.id))
      return c.body(null, 204)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}/deliveries',
      operationId: 'listWebhookDeliveries',
      tags: ['hub webhooks'],
      summary: 'Deliveries to an endpoint with their attempts, newest first',
      request: { params: IdParam, query: z.object(CursorQuery) },
      responses: {
        200: json(z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() }), 'Deliveries'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const db = dbOf(c)
      const endpoint = await ownEndpoint(db, tenantOf(c, 'read'), c.req.valid('param').id)
      const query = c.req.valid('query')
      const rows = await db
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.endpointId, endpoint.id),
            afterCursor(query.cursor, webhookDeliveries.createdAt, webhookDeliveries.id)
          )
        )
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(query.limit + 1)
      const { page, nextCursor } = keysetPage(rows, query.limit, (row) => [row.createdAt, row.id])
      const items = page.map(
        ({ body: _body, tenantId: _tenantId, endpointId: _endpointId, eventKey: _key, eventId: _event, ...delivery }) =>
          delivery
      )
      return c.json({ items, nextCursor }, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints/{id}/deliveries/{deliveryId}/replay',
      operationId: 'replayWebhookDelivery',
      tags: ['hub webhooks'],
      summary: 'Send a delivery again (same body and webhook-id)',
      request: { params: DeliveryParams },
      responses: { 202: json(z.object({ replayed: z.boolean() }), 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const db = dbOf(c)
      const { id, deliveryId } = c.req.valid('param')
      const endpoint = await ownEndpoint(db, tenantOf(c, 'admin'), id)
      const delivery = await db
        .select({ id: webhookDeliveries.id, state: webhookDeliveries.state, updatedAt: webhookDeliveries.updatedAt })
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpoint.id)))
        .get()
      if (!delivery) throw notFound('delivery')
      await replayHubDelivery(db, c.env.DISPATCH, delivery)
      return c.json({ replayed: true }, 202)
    }
  )
