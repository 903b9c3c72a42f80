/**
 * Every API router is made here, so request validation fails the same way everywhere (§3 errors)
 * and every route follows the same OpenAPI conventions without repeating them:
 * - `operationId` is required (a route without one fails when its module loads);
 * - `security` is the bearer token (`bearerAuth`) unless the route says otherwise;
 * - the operator's optional `X-Tenant-Id` header is documented;
 * - 401, 403 and 500 are documented, and 413 and 415 for routes with a request body (index.ts
 *   bounds every API body; the zod-openapi media-type check answers 415).
 */
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import { ApiError } from '../../core/errors'
import type { AppEnv } from '../../env'
import { commonErrorResponses } from './schemas'

/** The components these conventions refer to; src/routes/openapi.ts registers them. */
export const BEARER_AUTH = 'bearerAuth'
export const TENANT_HEADER_PARAMETER = 'TenantId'

export function withApiConventions<R extends RouteConfig>(route: R): R {
  if (!route.operationId) {
    throw new Error(
      `${route.method.toUpperCase()} ${route.path}: every API route needs an operationId (src/routes/api/router.ts)`
    )
  }
  const hasBody = Boolean(route.request?.body)
  const { 401: unauthorized, 403: forbidden, 413: tooLarge, 415: unsupported, 500: internal } = commonErrorResponses
  return {
    ...route,
    security: route.security ?? [{ [BEARER_AUTH]: [] }],
    parameters: [...(route.parameters ?? []), { $ref: `#/components/parameters/${TENANT_HEADER_PARAMETER}` }],
    responses: {
      401: unauthorized,
      403: forbidden,
      ...(hasBody ? { 413: tooLarge, 415: unsupported } : {}),
      500: internal,
      ...route.responses,
    },
  }
}

export function apiRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0]
        const where = [result.target === 'json' ? 'body' : result.target, ...issue.path.map(String)].join('.')
        throw new ApiError(400, 'invalid_request', `${where}: ${issue.message}`)
      }
    },
  })
  const register = router.openapi
  router.openapi = ((route: RouteConfig, handler: never, hook?: never) =>
    register(withApiConventions(route) as never, handler, hook)) as typeof router.openapi
  return router
}
