/**
 * The admin and back-office API under /api/v1: authentication first, then one router per
 * resource. The OpenAPI document (src/routes/openapi.ts) is generated from the same zod schemas
 * that validate requests; apiRouter() (router.ts) applies the documentation conventions.
 */
import { authenticate } from './auth'
import { catalogRoutes } from './catalog'
import { connectionRoutes } from './connections'
import { deadLetterRoutes } from './dead-letters'
import { importLogRoutes } from './import-log'
import { orderRoutes } from './orders'
import { apiRouter } from './router'
import { tenantRoutes } from './tenants'

export const api = apiRouter()

// The OpenAPI document (/api/v1/openapi.json) is served by the app, before this middleware.
api.use('*', authenticate)

api.route('/', tenantRoutes)
api.route('/', connectionRoutes)
api.route('/', orderRoutes)
api.route('/', catalogRoutes)
api.route('/', importLogRoutes)
api.route('/', deadLetterRoutes)
