/**
 * The admin and back-office API under /api/v1: authentication first, then one router per
 * resource. The OpenAPI document is generated from the same zod schemas that validate requests.
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

api.doc('/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'Kontor API', version: '1.0.0', description: 'Order-sync gateway: admin and back-office API' },
})
api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })

api.use('*', async (c, next) => (c.req.path.endsWith('/openapi.json') ? next() : authenticate(c, next)))

api.route('/', tenantRoutes)
api.route('/', connectionRoutes)
api.route('/', orderRoutes)
api.route('/', catalogRoutes)
api.route('/', importLogRoutes)
api.route('/', deadLetterRoutes)
