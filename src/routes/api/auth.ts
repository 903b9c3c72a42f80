/**
 * Bearer-token authentication and scopes (G2). The operator's token is the ADMIN_TOKEN secret;
 * tenant tokens are stored as SHA-256 hashes only (src/tokens/tokens.ts). A tenant token sees
 * its own tenant alone; the operator picks a tenant with the `X-Tenant-Id` header. Every request
 * is rate-limited per client address (before the token is looked at) and per token.
 */
import { createMiddleware } from 'hono/factory'
import { sha256Hex, timingSafeEqual } from '../../core/crypto'
import { ApiError } from '../../core/errors'
import { clientAddress, enforceLimits } from '../../core/rate-limit'
import { database } from '../../db/client'
import type { AppEnv, Bindings } from '../../env'
import { tenantIdExists } from '../../tenants/tenants'
import { checkToken } from '../../tokens/tokens'

import { type Caller, SCOPES, type Scope } from '../../core/caller'

export { type Caller, SCOPES, type Scope }

const encoder = new TextEncoder()

export type Identified = { caller: Caller } | { caller: null; refusal: string }

const REFUSALS = {
  unknown: 'unknown token',
  revoked: 'this token was revoked',
  expired: 'this token has expired',
  suspended: 'this token’s tenant is suspended',
} as const

/** Who a bearer token belongs to (the operator, or a tenant token), or why it is refused. */
export async function identify(env: Bindings, token: string, tokenHash?: string): Promise<Identified> {
  const hash = tokenHash ?? (await sha256Hex(token))
  const admin = env.ADMIN_TOKEN
  if (admin && timingSafeEqual(encoder.encode(hash), encoder.encode(await sha256Hex(admin)))) {
    return { caller: { kind: 'operator' } }
  }
  const check = await checkToken(database(env.DB), hash)
  if (!check.ok) return { caller: null, refusal: REFUSALS[check.reason] }
  return { caller: { kind: 'tenant', tenantId: check.tenantId, scopes: check.scopes, tokenId: check.tokenId } }
}

/** Who a bearer token belongs to, or null when it is refused. */
export async function callerForToken(env: Bindings, token: string): Promise<Caller | null> {
  return (await identify(env, token)).caller
}

/** Whether a tenant exists (the operator's `X-Tenant-Id` must name one). */
export async function tenantExists(env: Bindings, tenantId: string): Promise<boolean> {
  return tenantIdExists(database(env.DB), tenantId)
}

export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
  await enforceLimits(c.env.API_ADDRESS_LIMIT, [
    { key: `address:${clientAddress(c.req.raw.headers)}`, what: 'from this address' },
  ])
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw new ApiError(401, 'unauthorized', 'a bearer token is required')
  const hash = await sha256Hex(match[1])
  await enforceLimits(c.env.API_TOKEN_LIMIT, [{ key: `token:${hash}`, what: 'with this token' }])
  const identified = await identify(c.env, match[1], hash)
  if (!identified.caller) throw new ApiError(401, 'unauthorized', identified.refusal)
  const caller = identified.caller
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
