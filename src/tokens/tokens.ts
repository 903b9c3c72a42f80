/**
 * Tenant API tokens (issue 18): made with a name, scopes and an optional expiry, stored as a
 * SHA-256 hash only, listed without the token, revoked at once. Authentication reads the token
 * row on every request (no cache, so a revocation or a suspension holds on the next request in
 * every isolate) and writes `last_used_at` at most once a minute per token: the write is a
 * compare-and-set on the minute, so concurrent requests write it once.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { type Actor, auditStatement } from '../audit/audit-log'
import type { Scope } from '../core/caller'
import { randomToken, sha256Hex } from '../core/crypto'
import { ApiError, notFound } from '../core/errors'
import { randomId } from '../core/ids'
import type { Database } from '../db/client'
import { tenants, tokens } from '../db/schema'
import { guardStatement, isGuardFailure } from '../db/write-guard'
import { writeBatch } from '../db/write-batch'

export type TokenRow = typeof tokens.$inferSelect
export type NewToken = { name: string; scopes: Scope[]; expiresAt: string | null }

const LAST_USED_EVERY_MS = 60_000

/** The insert of a new token and the token itself (shown once); the caller batches the insert. */
export async function tokenInsert(db: Database, tenantId: string, token: NewToken) {
  const secret = `kt_${randomToken()}`
  const id = randomId('tok')
  const statement = db.insert(tokens).values({
    id,
    tenantId,
    tokenHash: await sha256Hex(secret),
    scopes: token.scopes,
    name: token.name,
    expiresAt: token.expiresAt,
  })
  return { id, token: secret, statement }
}

export async function createToken(db: Database, who: Actor, tenantId: string, token: NewToken) {
  const made = await tokenInsert(db, tenantId, token)
  await writeBatch(db, [
    made.statement,
    auditStatement(db, who, {
      tenantId,
      action: 'token.created',
      targetId: made.id,
      details: { name: token.name, scopes: token.scopes, expiresAt: token.expiresAt },
    }),
  ])
  return { id: made.id, token: made.token }
}

/** What the API and the dashboard show of a token: never the token or its hash. */
export function presentToken(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
  }
}

/** The tenant's tokens not revoked, oldest first (a tenant has a handful). */
export async function listTokens(db: Database, tenantId: string) {
  const rows = await db
    .select()
    .from(tokens)
    .where(and(eq(tokens.tenantId, tenantId), isNull(tokens.revokedAt)))
    .orderBy(asc(tokens.createdAt), asc(tokens.id))
    .limit(500)
  return rows.map(presentToken)
}

/** SQL: another admin token of the tenant that still works (not revoked, not expired). */
function anotherWorkingAdminToken(tenantId: string, exceptId: string, now: string) {
  return sql`exists (select 1 from ${tokens} where ${tokens.tenantId} = ${tenantId} and ${tokens.id} <> ${exceptId}
    and ${tokens.revokedAt} is null and (${tokens.expiresAt} is null or ${tokens.expiresAt} > ${now})
    and exists (select 1 from json_each(${tokens.scopes}) where value = 'admin'))`
}

/**
 * Revokes a token of the tenant. The tenant's last working admin token cannot be revoked: the
 * check is a guard in the same batch, so two concurrent revocations cannot both pass it.
 */
export async function revokeToken(db: Database, who: Actor, tenantId: string, id: string) {
  const row = await db
    .select()
    .from(tokens)
    .where(and(eq(tokens.id, id), eq(tokens.tenantId, tenantId), isNull(tokens.revokedAt)))
    .get()
  if (!row) throw notFound('token')
  const now = new Date().toISOString()
  const isAdmin = (row.scopes as string[]).includes('admin')
  try {
    await writeBatch(db, [
      ...(isAdmin ? [guardStatement(db, anotherWorkingAdminToken(tenantId, id, now))] : []),
      db
        .update(tokens)
        .set({ revokedAt: now })
        .where(and(eq(tokens.id, id), isNull(tokens.revokedAt))),
      auditStatement(db, who, {
        tenantId,
        action: 'token.revoked',
        targetId: id,
        details: { name: row.name },
        at: now,
      }),
    ])
  } catch (error) {
    if (isGuardFailure(error)) {
      throw new ApiError(409, 'last_admin_token', 'this is the tenant’s last working admin token; make another first')
    }
    throw error
  }
}

export type TokenCheck =
  | { ok: true; tenantId: string; scopes: Scope[]; tokenId: string }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'suspended' }

/**
 * The token behind a bearer value, with its tenant's suspension, in one read; then, at most once
 * a minute per token, the last-used time (only when the read saw it older than a minute, and
 * written only if it still is).
 */
export async function checkToken(db: Database, tokenHash: string, now = new Date()): Promise<TokenCheck> {
  const row = await db
    .select({
      id: tokens.id,
      tenantId: tokens.tenantId,
      scopes: tokens.scopes,
      expiresAt: tokens.expiresAt,
      revokedAt: tokens.revokedAt,
      lastUsedAt: tokens.lastUsedAt,
      suspendedAt: tenants.suspendedAt,
    })
    .from(tokens)
    .innerJoin(tenants, eq(tenants.id, tokens.tenantId))
    .where(eq(tokens.tokenHash, tokenHash))
    .get()
  if (!row) return { ok: false, reason: 'unknown' }
  if (row.revokedAt) return { ok: false, reason: 'revoked' }
  if (row.expiresAt && Date.parse(row.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' }
  if (row.suspendedAt) return { ok: false, reason: 'suspended' }
  const staleBefore = new Date(now.getTime() - LAST_USED_EVERY_MS).toISOString()
  if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
    await db
      .update(tokens)
      .set({ lastUsedAt: now.toISOString() })
      .where(and(eq(tokens.id, row.id), sql`(${tokens.lastUsedAt} is null or ${tokens.lastUsedAt} < ${staleBefore})`))
  }
  return { ok: true, tenantId: row.tenantId, scopes: row.scopes as Scope[], tokenId: row.id }
}
