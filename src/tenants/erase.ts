/**
 * Erasing a suspended tenant once its grace period is over (issue 18), a bounded batch per cron
 * tick: every table's rows of the tenant — by `tenant_id`, or through the tenant's connections
 * for the tables keyed by connection — then the connections, the tokens and the tenant itself,
 * whose removal writes the operator's audit row (without a tenant: nothing of it is left).
 * ERASED_TABLES must name every table that holds tenant data; test/tenants/erase.test.ts checks
 * that against the schema.
 */
import { and, isNotNull, lte, sql } from 'drizzle-orm'
import { auditStatement, SYSTEM } from '../audit/audit-log'
import type { Database } from '../db/client'
import { tenants } from '../db/schema'
import { writeBatch } from '../db/write-batch'

export const ERASE_BATCH = 500

/** Tables keyed by tenant, then those keyed by connection; connections and tokens go last. */
export const ERASED_BY_TENANT = [
  'stock_writes',
  'stock_levels',
  'warehouse_products',
  'webhook_delivery_attempts',
  'webhook_deliveries',
  'webhook_endpoints',
  'outbound_calls',
  'handovers',
  'order_events',
  'orders',
  'customers',
  'products',
  'categories',
  'import_log',
  'inbound_deliveries',
  'dead_letters',
  'data_requests',
  'audit_log',
] as const
export const ERASED_BY_CONNECTION = ['inbox', 'mappings', 'sync_cursors', 'sync_jobs'] as const
export const ERASED_LAST = ['connections', 'tokens'] as const

function deleteSome(db: Database, table: string, tenantId: string, limit: number) {
  const key = (ERASED_BY_CONNECTION as readonly string[]).includes(table)
    ? sql`connection_id in (select id from connections where tenant_id = ${tenantId})`
    : sql`tenant_id = ${tenantId}`
  return db.run(
    sql`delete from ${sql.identifier(table)} where rowid in (select rowid from ${sql.identifier(table)} where ${key} limit ${limit})`
  )
}

/** Erases up to `budget` rows of tenants past their grace period; returns how many rows went. */
export async function eraseDueTenants(db: Database, now = new Date(), budget = ERASE_BATCH): Promise<number> {
  const due = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(and(isNotNull(tenants.suspendedAt), lte(tenants.eraseAfter, now.toISOString())))
    .limit(5)
  let erased = 0
  for (const { id } of due) {
    for (const table of [...ERASED_BY_TENANT, ...ERASED_BY_CONNECTION, ...ERASED_LAST]) {
      while (erased < budget) {
        const result = await deleteSome(db, table, id, budget - erased)
        const changed = result.meta.changes ?? 0
        erased += changed
        if (changed === 0) break
      }
      if (erased >= budget) return erased
    }
    // Nothing of the tenant is left but its row: it goes with the operator's record of it.
    await writeBatch(db, [
      db.run(sql`delete from ${tenants} where id = ${id} and suspended_at is not null`),
      auditStatement(db, SYSTEM, { tenantId: null, action: 'tenant.erased', targetId: id, at: now.toISOString() }),
    ])
    erased++
  }
  return erased
}
