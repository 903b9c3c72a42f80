/**
 * A tenant's API tokens (issue 18): made with a name, scopes and an optional expiry (the token is
 * shown once), listed without the token, revoked at once. Transport over src/tokens/tokens.ts.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { actorOf } from '../../audit/audit-log'
import { ApiError } from '../../core/errors'
import { createToken, listTokens, revokeToken } from '../../tokens/tokens'
import { SCOPES } from './auth'
import { dbOf, tenantOf } from './context'
import { apiRouter } from './router'
import { ErrorSchema, errorResponses, IdParam, json, jsonBody } from './schemas'

const Scope = z.enum(SCOPES)

const CreateToken = z.object({
  name: z.string().min(1).max(200).default('API token'),
  scopes: z.array(Scope).min(1).max(SCOPES.length),
  expiresAt: z
    .string()
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'After this the token answers 401 saying it expired' }),
})
const Token = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(Scope),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Updated at most once a minute' }),
    expiresAt: z.string().nullable(),
  })
  .openapi('Token')
const CreatedToken = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(Scope),
    expiresAt: z.string().nullable(),
    token: z.string().openapi({ description: 'Shown only in this response' }),
  })
  .openapi('TokenCreated')

export const tokenRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      operationId: 'createToken',
      tags: ['tokens'],
      summary: 'Create another token for the tenant',
      request: jsonBody(CreateToken),
      responses: { 201: json(CreatedToken, 'The token, shown once'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const body = c.req.valid('json')
      const expiresAt = body.expiresAt ? new Date(body.expiresAt).toISOString() : null
      if (expiresAt && expiresAt <= new Date().toISOString())
        throw new ApiError(400, 'invalid_request', 'body.expiresAt: must be in the future')
      const input = { name: body.name, scopes: body.scopes, expiresAt }
      const { id, token } = await createToken(dbOf(c), actorOf(c.get('caller')), tenantId, input)
      return c.json({ id, ...input, token }, 201)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      operationId: 'listTokens',
      tags: ['tokens'],
      summary: 'The tenant’s tokens that are not revoked (never the token itself)',
      responses: { 200: json(z.object({ items: z.array(Token) }), 'Tokens'), ...errorResponses },
    }),
    async (c) => c.json({ items: await listTokens(dbOf(c), tenantOf(c, 'admin')) }, 200)
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{id}',
      operationId: 'revokeToken',
      tags: ['tokens'],
      summary: 'Revoke a token: refused at once on every route, the dashboard included',
      description: 'The tenant’s last working admin token cannot be revoked (409).',
      request: { params: IdParam },
      responses: {
        204: { description: 'Revoked' },
        ...errorResponses,
        409: json(ErrorSchema, 'The tenant’s last working admin token'),
      },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      await revokeToken(dbOf(c), actorOf(c.get('caller')), tenantId, c.req.valid('param').id)
      return c.body(null, 204)
    }
  )
