/** The tenants a dashboard session may choose from: a tenant token its own, the operator the first 500 by name. */
import { asc, eq } from 'drizzle-orm'
import type { Caller } from '../core/caller'
import type { Database } from '../db/client'
import { tenants } from '../db/schema'

export async function tenantChoices(db: Database, caller: Caller): Promise<{ id: string; name: string }[]> {
  if (caller.kind === 'tenant')
    return db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.id, caller.tenantId))
  return db
    .select({ id: tenants.id, name: tenants.name })
    .from(tenants)
    .orderBy(asc(tenants.name), asc(tenants.id))
    .limit(500)
}
