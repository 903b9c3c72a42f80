/**
 * The Hono app: public routes (health, webhooks, docs), the API under /api/v1, the OpenAPI
 * document for all of them, and one error handler that turns every failure into SPEC §3's
 * envelope without leaking internals.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { HTTPException } from 'hono/http-exception'
import { ApiError } from './core/errors'
import { logger } from './core/logger'
import { RateLimitedError } from './core/rate-limit'
import { database } from './db/client'
import type { AppEnv } from './env'
import { api } from './routes/api'
import { docsRoutes } from './routes/docs'
import { documentPublicRoutes, healthRoute, OPENAPI_PATH, openApiConfig } from './routes/openapi'
import { webhookRoutes } from './routes/webhooks'
import { ui } from './routes/ui'

/** An OpenAPIHono so that one document (src/routes/openapi.ts) covers every route it serves. */
export const app = new OpenAPIHono<AppEnv>()

app.openapi(healthRoute, async (c) => {
  await database(c.env.DB).run(sql`select 1`)
  return c.json({ ok: true as const }, 200)
})
// The operator's dashboard (src/routes/ui): `/`, /orders, /import-log, /dead-letters, /sign-in.
app.route('/', ui)
app.route('/docs', docsRoutes)
app.route('/webhooks', webhookRoutes)
documentPublicRoutes(app)
// Generated once per origin and isolate: building it walks every route (tens of ms).
const openApiDocuments = new Map<string, ReturnType<typeof app.getOpenAPI31Document>>()
app.get(OPENAPI_PATH, (c) => {
  const origin = new URL(c.req.url).origin
  let document = openApiDocuments.get(origin)
  if (!document) {
    document = app.getOpenAPI31Document(openApiConfig(origin))
    if (openApiDocuments.size < 16) openApiDocuments.set(origin, document)
  }
  return c.json(document)
})
app.route('/api/v1', api)

app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404))

app.onError((error, c) => {
  if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds))
  if (error instanceof ApiError) return c.json({ error: { code: error.code, message: error.message } }, error.status)
  if (error instanceof HTTPException) {
    return c.json(
      {
        error: {
          code:
            error.status === 413
              ? 'payload_too_large'
              : error.status === 415
                ? 'unsupported_media_type'
                : 'bad_request',
          message: error.message || 'bad request',
        },
      },
      error.status
    )
  }
  if (error instanceof SyntaxError)
    return c.json({ error: { code: 'invalid_json', message: 'the body is not valid JSON' } }, 400)
  logger.error('unhandled error', {
    path: c.req.path,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  })
  return c.json({ error: { code: 'internal_error', message: 'something went wrong on our side' } }, 500)
})
