/**
 * Bearer-token authentication and scopes (G2). The operator's token is the ADMIN_TOKEN secret;
 * tenant tokens are stored as SHA-256 hashes only. A tenant token sees its own tenant alone;
 * the operator picks a tenant with the `X-Tenant-Id` header.
 */
import { eq } from 'drizzle-orm'
import { createMiddleware } from 'hono/factory'
import { sha256Hex, timingSafeEqual } from '../../core/crypto'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import { tenants, tokens } from '../../db/schema'
import type { AppEnv } from '../../env'

export const SCOPES = ['read', 'orders', 'stock', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

export type Caller = { kind: 'operator' } | { kind: 'tenant'; tenantId: string; scopes: Scope[]; tokenId: string }

const encoder = new TextEncoder()

export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw new ApiError(401, 'unauthorized', 'a bearer token is required')
  const token = match[1]
  const admin = c.env.ADMIN_TOKEN
  const db = database(c.env.DB)
  if (admin && timingSafeEqual(encoder.encode(await sha256Hex(token)), encoder.encode(await sha256Hex(admin)))) {
    const tenantId = c.req.header('x-tenant-id')
    if (tenantId && !(await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).get())) {
      throw new ApiError(404, 'not_found', 'tenant not found')
    }
    c.set('caller', { kind: 'operator' })
    return next()
  }
  const row = await db
    .select()
    .from(tokens)
    .where(eq(tokens.tokenHash, await sha256Hex(token)))
    .get()
  if (!row) throw new ApiError(401, 'unauthorized', 'unknown token')
  c.set('caller', { kind: 'tenant', tenantId: row.tenantId, scopes: row.scopes as Scope[], tokenId: row.id })
  return next()
})

export function requireOperator(caller: Caller) {
  if (caller.kind !== 'operator') throw new ApiError(403, 'forbidden', 'only the operator token may do this')
}

export function requireScope(caller: Caller, scope: Scope) {
  if (caller.kind === 'tenant' && !caller.scopes.includes(scope)) {
    throw new ApiError(403, 'forbidden', `this token lacks the "${scope}" scope`)
  }
}

/** The tenant a call acts for, after checking the caller holds `scope` there. */
export function tenantFor(caller: Caller, scope: Scope, requestedTenant: string | undefined): string {
  if (caller.kind === 'operator') {
    if (!requestedTenant)
      throw new ApiError(400, 'tenant_required', 'the operator token needs an X-Tenant-Id header here')
    return requestedTenant
  }
  requireScope(caller, scope)
  return caller.tenantId
}
