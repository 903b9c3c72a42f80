/** Orders in the hub: list with cursor paging, read one, and report events on it (§3, §4). */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { ApiError, notFound } from '../../core/errors'
import { ORDER_STATUSES } from '../../core/model'
import { decodeCursor } from '../../db/keyset'
import { ORDER_HANDOVER_STATES, WRITE_BACK_STATES } from '../../orders/integration-state'
import { listOrders, readOrder } from '../../orders/read-model'
import { recordOrderEvent } from '../../orders/record-event'
import { dbOf, tenantOf } from './context'
import { OrderEvent, orderEventInput, scopeToReport } from './order-event-schema'
import { Anything, CursorQuery, errorResponses, IdParam, json, jsonBody } from './schemas'

const Order = Anything.openapi('Order')

export const orderRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/orders',
      operationId: 'listOrders',
      tags: ['orders'],
      summary: 'List orders, most recently changed first',
      request: {
        query: z
          .object({
            connectionId: z.string().optional(),
            status: z.enum(ORDER_STATUSES).optional(),
            q: z.string().trim().min(1).max(200).optional().openapi({
              description:
                "Text in the order's number, its platform id or its customer's name (as the dashboard's search)",
            }),
            updatedSince: z.string().datetime({ offset: true }).optional(),
            handover: z.enum(ORDER_HANDOVER_STATES).optional().openapi({
              description:
                "The order's hand-over state (the most urgent of several destinations'); none: not handed over",
            }),
            writeBack: z.enum(WRITE_BACK_STATES).optional().openapi({
              description:
                'The state of its write-backs to the source: failing while one has failed and not gone through',
            }),
            ...CursorQuery,
          })
          // Strict: a filter this route does not know is a 400, never silently ignored.
          .strict(),
      },
      responses: {
        200: json(z.object({ items: z.array(Order), nextCursor: z.string().nullable() }), 'A page of orders'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'read')
      const query = c.req.valid('query')
      const cursor = query.cursor ? decodeCursor(query.cursor) : null
      if (query.cursor && !cursor) throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API gave out')
      const updatedSince = query.updatedSince ? new Date(query.updatedSince).toISOString() : undefined
      return c.json(await listOrders(dbOf(c), tenantId, { ...query, updatedSince, cursor }), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}',
      operationId: 'getOrder',
      tags: ['orders'],
      summary: 'Read an order with lines, customer, events and tracking',
      request: { params: IdParam },
      responses: { 200: json(Order, 'The order'), ...errorResponses },
    }),
    async (c) => {
      const order = await readOrder(dbOf(c), tenantOf(c, 'read'), c.req.valid('param').id)
      if (!order) throw notFound('order')
      return c.json(order, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/events',
      operationId: 'reportOrderEvent',
      tags: ['orders'],
      summary: 'Report an order event; an Idempotency-Key makes a repeat a no-op',
      request: {
        params: IdParam,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        ...jsonBody(OrderEvent),
      },
      responses: {
        202: json(z.object({ id: z.string().nullable(), duplicate: z.boolean() }), 'Recorded; write-back queued'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const event = c.req.valid('json')
      const tenantId = tenantOf(c, scopeToReport(event.type))
      const result = await recordOrderEvent(
        dbOf(c),
        { sync: c.env.SYNC, dispatch: c.env.DISPATCH },
        {
          tenantId,
          orderId: c.req.valid('param').id,
          event: orderEventInput(event),
          idempotencyKey: c.req.valid('header')['idempotency-key'] ?? null,
          source: 'api',
        }
      )
      return c.json(result, 202)
    }
  )
