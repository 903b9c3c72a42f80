/**
 * The audit trail (issue 18): who — a tenant token, or the operator acting for a tenant — did what
 * to which id, and when. `auditStatement` returns a statement for the caller to put in the SAME
 * D1 batch as the change it records, so a change without its row cannot exist. Details name ids
 * and field names, never a secret value.
 */
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm'
import type { Caller } from '../core/caller'
import { randomId } from '../core/ids'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { auditLog } from '../db/schema'

export const AUDIT_ACTIONS = [
  'connection.created',
  'connection.changed',
  'connection.routes_changed',
  'connection.deleted',
  'connection.paused',
  'connection.resumed',
  'token.created',
  'token.revoked',
  'webhook_endpoint.created',
  'webhook_endpoint.changed',
  'webhook_endpoint.deleted',
  'webhook_endpoint.secret_rotated',
  'webhook_endpoint.auto_disabled',
  'webhook_delivery.replayed',
  'dead_letter.replayed',
  'tenant.created',
  'tenant.changed',
  'tenant.suspended',
  'tenant.restored',
  'tenant.erased',
  're_encryption.run',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** Who acts: the caller of a request, or Kontor itself (the cron). */
export type Actor = { actor: 'operator' | 'token' | 'system'; tokenId: string | null }

export function actorOf(caller: Caller): Actor {
  return caller.kind === 'operator' ? { actor: 'operator', tokenId: null } : { actor: 'token', tokenId: caller.tokenId }
}

export const SYSTEM: Actor = { actor: 'system', tokenId: null }

export type AuditEntry = {
  tenantId: string | null
  action: AuditAction
  targetId: string
  details?: Record<string, unknown>
  at?: string
}

/** The insert of one audit row, to run in the batch that makes the change. */
export function auditStatement(db: Database, who: Actor, entry: AuditEntry) {
  return db.insert(auditLog).values({
    id: randomId('aud'),
    tenantId: entry.tenantId,
    actor: who.actor,
    actorTokenId: who.tokenId,
    action: entry.action,
    targetId: entry.targetId,
    details: entry.details ?? null,
    at: entry.at ?? new Date().toISOString(),
  })
}

export type AuditRow = typeof auditLog.$inferSelect

/**
 * Newest first, keyset-paged. `tenantId` null is the operator's view of its own actions (rows
 * without a tenant); a tenant sees its own rows only.
 */
export async function listAuditLog(
  db: Database,
  query: { tenantId: string | null; action?: string; cursor?: string; limit: number }
) {
  const scope: SQL = query.tenantId === null ? isNull(auditLog.tenantId) : eq(auditLog.tenantId, query.tenantId)
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        scope,
        query.action ? eq(auditLog.action, query.action) : undefined,
        afterCursor(query.cursor, auditLog.at, auditLog.id)
      )
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(query.limit + 1)
  return keysetPage(rows, query.limit, (row) => [row.at, row.id])
}
