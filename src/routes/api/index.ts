/**
 * The admin and back-office API under /api/v1: authentication first, then one router per
 * resource. The OpenAPI document (src/routes/openapi.ts) is generated from the same zod schemas
 * that validate requests; apiRouter() (router.ts) applies the documentation conventions.
 */
import { bodyLimit } from 'hono/body-limit'
import { adminRoutes } from './admin'
import { dataRequestRoutes } from './data-requests'
import { authenticate } from './auth'
import { catalogRoutes } from './catalog'
import { connectionRoutes } from './connections'
import { deadLetterRoutes } from './dead-letters'
import { importLogRoutes } from './import-log'
import { MAX_API_BODY_BYTES } from './limits'
import { orderRoutes } from './orders'
import { orderRetryRoutes } from './order-retries'
import { outboundCallRoutes } from './outbound-calls'
import { overviewRoutes } from './overview'
import { apiRouter } from './router'
import { stockRoutes } from './stock'
import { tenantRoutes } from './tenants'
import { tokenRoutes } from './tokens'
import { auditLogRoutes } from './audit-log'
import { webhookEndpointRoutes } from './webhook-endpoints'
import { webhookDeliveryRoutes } from './webhook-deliveries'

export const api = apiRouter()

// The OpenAPI document (/api/v1/openapi.json) is served by the app, before this middleware.
api.use('*', authenticate)

// The whole body is bounded before a route reads it: 413 in the §3 envelope.
api.use(
  '*',
  bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: (c) =>
      c.json(
        {
          error: {
            code: 'payload_too_large',
            message: `API request bodies are limited to ${MAX_API_BODY_BYTES / 1024} KB`,
          },
        },
        413
      ),
  })
)

api.route('/', tenantRoutes)
api.route('/', connectionRoutes)
api.route('/', orderRoutes)
api.route('/', orderRetryRoutes)
api.route('/', catalogRoutes)
api.route('/', importLogRoutes)
api.route('/', deadLetterRoutes)
api.route('/', outboundCallRoutes)
api.route('/', webhookEndpointRoutes)
api.route('/', adminRoutes)
api.route('/', overviewRoutes)
api.route('/', dataRequestRoutes)
api.route('/', tokenRoutes)
api.route('/', auditLogRoutes)
api.route('/', stockRoutes)
api.route('/', webhookDeliveryRoutes)
