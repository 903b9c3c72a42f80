/**
 * Tenants, the operator's use cases (issue 18): create (with a first admin token), list, read,
 * change (the currency only while the tenant has no orders), suspend (the operator's DELETE) and
 * restore within the grace period. Suspension takes effect at once: token checks read the
 * tenant's `suspended_at` on every request, intake refuses its webhooks with 410, the cron skips
 * it and the queue consumers park its messages (src/tenants/suspension.ts). After the grace
 * period the cron erases the tenant (src/tenants/erase.ts).
 */
import { and, desc, eq, sql } from 'drizzle-orm'
import { type Actor, auditStatement } from '../audit/audit-log'
import { SCOPES } from '../core/caller'
import { ApiError, notFound } from '../core/errors'
import { randomId } from '../core/ids'
import { forgetConnection } from '../db/connections'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { connections, orders, tenants } from '../db/schema'
import { guardStatement, isGuardFailure } from '../db/write-guard'
import { writeBatch } from '../db/write-batch'
import type { Bindings } from '../env'
import { tokenInsert } from '../tokens/tokens'
import { replayParkedWork } from './suspension'

export type TenantRow = typeof tenants.$inferSelect

export const DEFAULT_GRACE_DAYS = 7

export function graceDays(env: { TENANT_GRACE_DAYS?: string }): number {
  const days = Number(env.TENANT_GRACE_DAYS ?? DEFAULT_GRACE_DAYS)
  return Number.isFinite(days) && days >= 0 ? days : DEFAULT_GRACE_DAYS
}

export function presentTenant(row: TenantRow) {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    retentionDays: row.retentionDays,
    createdAt: row.createdAt,
    suspendedAt: row.suspendedAt,
    eraseAfter: row.eraseAfter,
  }
}

export async function createTenant(
  db: Database,
  who: Actor,
  tenant: { name: string; currency: string; retentionDays: number }
) {
  const id = randomId('ten')
  const first = await tokenInsert(db, id, { name: 'first admin token', scopes: [...SCOPES], expiresAt: null })
  await writeBatch(db, [
    db.insert(tenants).values({ id, ...tenant }),
    first.statement,
    auditStatement(db, who, { tenantId: id, action: 'tenant.created', targetId: id, details: { ...tenant } }),
  ])
  return { id, ...tenant, token: first.token }
}

/** Newest first; `only` restricts the list to one tenant (the operator acting for a tenant). */
export async function listTenants(db: Database, query: { cursor?: string; limit: number; only?: string }) {
  const rows = await db
    .select()
    .from(tenants)
    .where(
      and(query.only ? eq(tenants.id, query.only) : undefined, afterCursor(query.cursor, tenants.createdAt, tenants.id))
    )
    .orderBy(desc(tenants.createdAt), desc(tenants.id))
    .limit(query.limit + 1)
  const { page, nextCursor } = keysetPage(rows, query.limit, (row) => [row.createdAt, row.id])
  return { items: page.map(presentTenant), nextCursor }
}

export async function tenantIdExists(db: Database, id: string): Promise<boolean> {
  return !!(await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, id)).get())
}

export async function getTenant(db: Database, id: string): Promise<TenantRow> {
  const row = await db.select().from(tenants).where(eq(tenants.id, id)).get()
  if (!row) throw notFound('tenant')
  return row
}

export async function updateTenant(
  db: Database,
  who: Actor,
  id: string,
  change: { name?: string; retentionDays?: number; currency?: string }
) {
  const row = await getTenant(db, id)
  const currencyChanges = change.currency !== undefined && change.currency !== row.currency
  const next = { ...row, ...change }
  try {
    await writeBatch(db, [
      // G4 compares every import with the tenant's currency: once orders exist it is fixed.
      ...(currencyChanges
        ? [guardStatement(db, sql`not exists (select 1 from ${orders} where ${orders.tenantId} = ${id})`)]
        : []),
      db
        .update(tenants)
        .set({ name: next.name, retentionDays: next.retentionDays, currency: next.currency })
        .where(eq(tenants.id, id)),
      auditStatement(db, who, { tenantId: id, action: 'tenant.changed', targetId: id, details: { ...change } }),
    ])
  } catch (error) {
    if (isGuardFailure(error))
      throw new ApiError(409, 'tenant_has_orders', 'the currency cannot change once the tenant has orders')
    throw error
  }
  return presentTenant(next)
}

/** The operator's DELETE: suspended at once, erased by the cron after the grace period. */
export async function suspendTenant(env: Bindings, db: Database, who: Actor, id: string, now = new Date()) {
  const row = await getTenant(db, id)
  if (row.suspendedAt) return presentTenant(row)
  const suspendedAt = now.toISOString()
  const eraseAfter = new Date(now.getTime() + graceDays(env) * 86_400_000).toISOString()
  await writeBatch(db, [
    db
      .update(tenants)
      .set({ suspendedAt, eraseAfter })
      .where(and(eq(tenants.id, id), sql`${tenants.suspendedAt} is null`)),
    auditStatement(db, who, {
      tenantId: id,
      action: 'tenant.suspended',
      targetId: id,
      details: { eraseAfter },
      at: suspendedAt,
    }),
  ])
  await forgetTenantConnections(db, id)
  return presentTenant({ ...row, suspendedAt, eraseAfter })
}

/** Undoes a suspension before its grace period ends, and sends the work parked meanwhile again. */
export async function restoreTenant(env: Bindings, db: Database, who: Actor, id: string, now = new Date()) {
  const row = await getTenant(db, id)
  if (!row.suspendedAt) throw new ApiError(409, 'not_suspended', 'the tenant is not suspended')
  try {
    await writeBatch(db, [
      guardStatement(
        db,
        sql`exists (select 1 from ${tenants} where ${tenants.id} = ${id}
        and ${tenants.eraseAfter} > ${now.toISOString()})`
      ),
      db.update(tenants).set({ suspendedAt: null, eraseAfter: null }).where(eq(tenants.id, id)),
      auditStatement(db, who, { tenantId: id, action: 'tenant.restored', targetId: id, at: now.toISOString() }),
    ])
  } catch (error) {
    if (isGuardFailure(error))
      throw new ApiError(409, 'grace_period_over', 'the grace period is over: the tenant is being erased')
    throw error
  }
  await forgetTenantConnections(db, id)
  const replayed = await replayParkedWork(env, db, id)
  return { ...presentTenant({ ...row, suspendedAt: null, eraseAfter: null }), replayed }
}

/** Intake's cached copies of the tenant's connections in this isolate (others expire within 3 s). */
async function forgetTenantConnections(db: Database, tenantId: string) {
  const rows = await db.select({ id: connections.id }).from(connections).where(eq(connections.tenantId, tenantId))
  for (const row of rows) forgetConnection(row.id)
}
