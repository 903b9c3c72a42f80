/**
 * The operator's overview as JSON (issue 19 finding 7), the dashboard's /overview page's twin:
 * every tenant's health, worst first, paged. Transport over src/read-models/tenant-overview.ts.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { tenantOverview } from '../../read-models/tenant-overview'
import { requireOperator } from './auth'
import { dbOf } from './context'
import { apiRouter } from './router'
import { errorResponses, json } from './schemas'

const TenantHealth = z
  .object({
    id: z.string(),
    name: z.string(),
    state: z.enum(['failing', 'attention', 'healthy', 'suspended']).openapi({
      description:
        '`failing`: something fails now (an outbound step, a poll, a hand-over or a write-back); `attention`: ' +
        'failures in the last 24 hours, recovered steps or pending dead letters; `suspended` by the operator',
    }),
    suspendedAt: z.string().nullable(),
    eraseAfter: z.string().nullable(),
    connections: z.number().int().openapi({ description: 'Live connections' }),
    failingNow: z.number().int().openapi({
      description: 'Outbound steps whose latest call failed, and connections whose latest poll failed',
    }),
    recovered: z.number().int().openapi({ description: 'Steps that failed in the last 24 hours and succeeded since' }),
    failures24h: z.number().int().openapi({
      description: 'Failed import-log lines, outbound calls and poll or backfill runs in the last 24 hours',
    }),
    deadLetters: z.number().int().openapi({ description: 'Dead letters not replayed yet' }),
    ordersImported24h: z.number().int().openapi({ description: 'Orders new to the hub in the last 24 hours' }),
    handoversWaiting: z.number().int().openapi({ description: 'Hand-overs not yet sent to their destination' }),
    handoversFailing: z.number().int().openapi({ description: 'Hand-overs (or their cancellation) that failed' }),
    writeBacksFailing: z.number().int().openapi({ description: 'Write-backs to a source whose last attempt failed' }),
  })
  .openapi('TenantHealth')

export const overviewRoutes = apiRouter().openapi(
  createRoute({
    method: 'get',
    path: '/admin/overview',
    operationId: 'getOverview',
    tags: ['operations'],
    summary: "Every tenant's health, worst first (operator)",
    description:
      'The figures of the connections page summed per tenant, plus dead letters, orders, hand-overs and ' +
      'write-backs. Ordered: active tenants before suspended ones, then by what fails now, pending dead letters, ' +
      'failures in 24 hours and waiting hand-overs. With `X-Tenant-Id`, that tenant alone.',
    request: {
      query: z
        .object({
          page: z.coerce.number().int().min(1).default(1),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        })
        .strict(),
    },
    responses: {
      200: json(
        z.object({
          items: z.array(TenantHealth),
          total: z.number().int().openapi({ description: 'Tenants in all pages' }),
          nextPage: z.number().int().nullable(),
        }),
        'One page of tenants'
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    requireOperator(c.get('caller'))
    const { page, limit } = c.req.valid('query')
    const only = c.req.header('x-tenant-id') || undefined
    const { items, total } = await tenantOverview(dbOf(c), { limit, offset: (page - 1) * limit, only })
    return c.json({ items, total, nextPage: page * limit < total ? page + 1 : null }, 200)
  }
)
