/** Every API router is made here, so request validation fails the same way everywhere (§3 errors). */
import { OpenAPIHono } from '@hono/zod-openapi'
import { ApiError } from '../../core/errors'
import type { AppEnv } from '../../env'

export function apiRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0]
        const where = [result.target === 'json' ? 'body' : result.target, ...issue.path.map(String)].join('.')
        throw new ApiError(400, 'invalid_request', `${where}: ${issue.message}`)
      }
    },
  })
}
