/**
 * Retrying one failed write-back or hand-over of an order now (issue 19), as the dashboard's
 * order page does: transport over src/queue/retry-write-back.ts and src/handover/retry.ts.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { retryHandover } from '../../handover/retry'
import { retryWriteBack } from '../../queue/retry-write-back'
import { apiRouter } from './router'
import { dbOf, tenantOf } from './context'
import { ErrorSchema, errorResponses, json } from './schemas'

const RetryRequest = z
  .object({
    seenAttempts: z.number().int().min(1).optional().openapi({
      description:
        'The attempt count the caller saw failed: the retry runs only while it is still that, so a repeated request runs once',
    }),
  })
  .openapi('RetryRequest')
const retryBody = { body: { required: false, content: { 'application/json': { schema: RetryRequest } } } }
const notRetried = {
  description: 'Not failed (not_failed), or retried meanwhile (retried_meanwhile, already_retried); nothing was run',
  content: { 'application/json': { schema: ErrorSchema } },
}
const pathParam = (name: string) =>
  z
    .string()
    .min(1)
    .openapi({ param: { name, in: 'path' } })

export const orderRetryRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/write-backs/{eventId}/retry',
      operationId: 'retryWriteBack',
      tags: ['orders'],
      summary: "Retry the failed write-back of one of the order's events now",
      request: { params: z.object({ id: pathParam('id'), eventId: pathParam('eventId') }), ...retryBody },
      responses: {
        200: json(
          z.object({ eventId: z.string(), result: z.string(), detail: z.string().nullable(), attempts: z.number() }),
          'The write-back ran; its result (done, not_applicable, failed …) and detail'
        ),
        409: notRetried,
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, eventId } = c.req.valid('param')
      const { seenAttempts } = c.req.valid('json') ?? {}
      const retried = await retryWriteBack(c.env, dbOf(c), {
        tenantId: tenantOf(c, 'orders'),
        orderId: id,
        eventId,
        seenAttempts,
      })
      return c.json(retried, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/handovers/{handoverId}/retry',
      operationId: 'retryHandover',
      tags: ['orders'],
      summary: 'Retry a failed hand-over of the order to its destination now',
      request: { params: z.object({ id: pathParam('id'), handoverId: pathParam('handoverId') }), ...retryBody },
      responses: {
        200: json(
          z.object({ id: z.string(), state: z.string(), lastError: z.string().nullable(), attempts: z.number() }),
          'The hand-over ran; its state now (sent, confirmed, failed …) and last error'
        ),
        409: notRetried,
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, handoverId } = c.req.valid('param')
      const { seenAttempts } = c.req.valid('json') ?? {}
      const retried = await retryHandover(c.env, dbOf(c), {
        tenantId: tenantOf(c, 'orders'),
        orderId: id,
        handoverId,
        seenAttempts,
      })
      return c.json(retried, 200)
    }
  )
