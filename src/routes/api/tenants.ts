/** Tenants (operator only) and their API tokens (a tenant admin makes more). */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { randomToken, sha256Hex } from '../../core/crypto'
import { randomId } from '../../core/ids'
import { tenants, tokens } from '../../db/schema'
import { requireOperator, SCOPES } from './auth'
import { dbOf, tenantOf } from './context'
import { errorResponses, json, jsonBody } from './schemas'

const Scope = z.enum(SCOPES)

const CreateTenant = z.object({
  name: z.string().min(1).max(200),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  retentionDays: z.number().int().min(1).max(3650).default(30).openapi({
    description: 'Days processed webhook bodies and import-log lines are kept (default 30)',
  }),
})
const Tenant = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    retentionDays: z.number().int(),
    token: z.string(),
  })
  .openapi('TenantCreated')
const CreateToken = z.object({ scopes: z.array(Scope).min(1).max(SCOPES.length) })
const Token = z.object({ id: z.string(), scopes: z.array(Scope), token: z.string() }).openapi('TokenCreated')

async function issueToken(db: ReturnType<typeof dbOf>, tenantId: string, scopes: string[]) {
  const token = `kt_${randomToken()}`
  const id = randomId('tok')
  await db.insert(tokens).values({ id, tenantId, tokenHash: await sha256Hex(token), scopes })
  return { id, token }
}

export const tenantRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/tenants',
      operationId: 'createTenant',
      tags: ['tenants'],
      summary: 'Create a tenant and its first token (operator)',
      request: jsonBody(CreateTenant),
      responses: { 201: json(Tenant, 'The tenant and a token with every scope, shown once'), ...errorResponses },
    }),
    async (c) => {
      requireOperator(c.get('caller'))
      const body = c.req.valid('json')
      const db = dbOf(c)
      const id = randomId('ten')
      const { name, currency, retentionDays } = body
      await db.insert(tenants).values({ id, name, currency, retentionDays })
      const { token } = await issueToken(db, id, [...SCOPES])
      return c.json({ id, name, currency, retentionDays, token }, 201)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      operationId: 'createToken',
      tags: ['tenants'],
      summary: 'Create another token for the tenant',
      request: jsonBody(CreateToken),
      responses: { 201: json(Token, 'The token, shown once'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const { scopes } = c.req.valid('json')
      const { id, token } = await issueToken(dbOf(c), tenantId, scopes)
      return c.json({ id, scopes, token }, 201)
    }
  )
