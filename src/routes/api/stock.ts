/** ST5: the warehouse's stock per SKU and what each channel got (transport over src/stock/read-model.ts). */
import { createRoute, z } from '@hono/zod-openapi'
import { listStock } from '../../stock/read-model'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, errorResponses, json } from './schemas'

const StockChannel = z
  .object({
    connectionId: z.string(),
    name: z.string().nullable(),
    platform: z.string().nullable(),
    quantity: z.number().int().nullable().openapi({ description: 'The sellable quantity last written' }),
    revision: z.number().int(),
    writtenAt: z.string().nullable(),
    pending: z.boolean().openapi({ description: 'The stock changed since; the next push writes it' }),
    skippedReason: z.string().nullable().openapi({ description: 'Why the channel did not take it (unknown SKU …)' }),
    channelQuantity: z.number().int().nullable().openapi({ description: "The channel's own figure when reconciled" }),
    reconciledAt: z.string().nullable(),
    drift: z.boolean(),
  })
  .openapi('StockChannel')

const StockItem = z
  .object({
    sku: z.string(),
    warehouseId: z.string(),
    physical: z.number().int(),
    reserved: z.number().int(),
    notReserved: z.number().int(),
    inFlight: z.number().int().openapi({ description: 'Hub orders not yet accepted by the warehouse' }),
    sellable: z.number().int().openapi({ description: 'notReserved − inFlight, at least 0, before buffers' }),
    revision: z.number().int(),
    readAt: z.string(),
    changedAt: z.string(),
    channels: z.array(StockChannel),
  })
  .openapi('StockItem')

export const stockRoutes = apiRouter().openapi(
  createRoute({
    method: 'get',
    path: '/stock',
    operationId: 'listStock',
    tags: ['stock'],
    summary: "The warehouse's stock per SKU, the sellable quantity and what each channel got (ST5)",
    request: {
      query: z.object({
        sku: z.string().max(200).optional().openapi({ description: 'SKUs starting with this' }),
        connectionId: z.string().optional().openapi({ description: 'A warehouse or a channel connection' }),
        drift: z.enum(['true', 'false']).optional().openapi({ description: 'Only SKUs a channel drifted on' }),
        ...CursorQuery,
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(StockItem), nextCursor: z.string().nullable() }), 'A page of stock'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const tenantId = tenantOf(c, 'read')
    const query = c.req.valid('query')
    return c.json(await listStock(dbOf(c), tenantId, { ...query, driftOnly: query.drift === 'true' }), 200)
  }
)
