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
import type { AppEnv, Bindings } from '../../env'

import { type Caller, SCOPES, type Scope } from '../../core/caller'

export { type Caller, SCOPES, type Scope }

const encoder = new TextEncoder()

/** Who a bearer token belongs to: the operator, a tenant token's tenant and scopes, or nobody. */
export async function callerForToken(env: Bindings, token: string): Promise<Caller | null> {
  const admin = env.ADMIN_TOKEN
  if (admin && timingSafeEqual(encoder.encode(await sha256Hex(token)), encoder.encode(await sha256Hex(admin)))) {
    return { kind: 'operator' }
  }
  const row = await database(env.DB)
    .select()
    .from(tokens)
    .where(eq(tokens.tokenHash, await sha256Hex(token)))
    .get()
  if (!row) return null
  return { kind: 'tenant', tenantId: row.tenantId, scopes: row.scopes as Scope[], tokenId: row.id }
}

/** Whether a tenant exists (the operator's `X-Tenant-Id` must name one). */
export async function tenantExists(env: Bindings, tenantId: string): Promise<boolean> {
  return !!(await database(env.DB).select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).get())
}

export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw new ApiError(401, 'unauthorized', 'a bearer token is required')
  const caller = await callerForToken(c.env, match[1])
  if (!caller) throw new ApiError(401, 'unauthorized', 'unknown token')
  if (caller.kind === 'operator') {
    const tenantId = c.req.header('x-tenant-id')
    if (tenantId && !(await tenantExists(c.env, tenantId))) throw new ApiError(404, 'not_found', 'tenant not found')
  }
  c.set('caller', caller)
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
