/**
 * C1–C3, SH6: the statement that makes sure an imported order's (or a lone customer's) customer
 * exists, matched by phone or email within the tenant, and that customer's id as SQL for the
 * statements after it in the same batch.
 */
import { type SQL, sql } from 'drizzle-orm'
import { derivedId } from '../core/ids'
import type { IncomingCustomer } from '../core/model'
import { type Database, nowIso } from '../db/client'
import { customers } from '../db/schema'
import { customerKeys } from './match-keys'

/**
 * The customer id a C3 match would give: an existing contact with that phone or email, else a new
 * id. Two index lookups joined by UNION ALL: SQLite does not split `tenant_id = ? and (phone_key
 * = ? or email_key = ?)` over both indexes and would read every customer of the tenant instead.
 * A null key matches nothing (`= null` is never true).
 */
export function matchedCustomerId(
  tenantId: string,
  keys: { phone: string | null; email: string | null },
  fallbackId: string
): SQL {
  return sql`coalesce((select id from (
      select ${customers.id} as id, ${customers.createdAt} as created_at from ${customers}
        where ${customers.tenantId} = ${tenantId} and ${customers.phoneKey} = ${keys.phone}
      union all
      select ${customers.id}, ${customers.createdAt} from ${customers}
        where ${customers.tenantId} = ${tenantId} and ${customers.emailKey} = ${keys.email})
    order by created_at, id limit 1), ${fallbackId})`
}

/** C1–C3, SH6: the statements that make sure the order's customer exists, and its id as SQL. */
export async function customerStatements(
  db: Database,
  scope: { tenantId: string; connectionId: string },
  customer: IncomingCustomer | null,
  /** Identifies a contact with neither phone, email nor platform id (e.g. the order it came with). */
  fallbackIdentity: string,
  /** The order's address country, for phones written without +country (C3). */
  countryCode?: string | null
) {
  const keys = customerKeys(customer, countryCode)
  if (!customer || (!keys.phone && !keys.email && !customer.firstName && !customer.lastName)) {
    // SH6: no customer data at all → the tenant's single "not specified" customer.
    const id = await derivedId('cus', scope.tenantId, 'not-specified')
    const insert = db
      .insert(customers)
      .values({ id, tenantId: scope.tenantId, firstName: 'Not specified', notSpecified: true, updatedAt: nowIso() })
      .onConflictDoNothing()
    return { statements: [insert], customerId: sql`${id}` }
  }
  const identity = keys.phone
    ? `phone:${keys.phone}`
    : keys.email
      ? `email:${keys.email}`
      : customer.externalId
        ? `ext:${scope.connectionId}:${customer.externalId}`
        : fallbackIdentity
  const newId = await derivedId('cus', scope.tenantId, identity)
  const customerId = keys.phone || keys.email ? matchedCustomerId(scope.tenantId, keys, newId) : sql`${newId}`
  const values = {
    id: newId,
    tenantId: scope.tenantId,
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    phoneKey: keys.phone,
    emailKey: keys.email,
    address: customer.address,
    updatedAt: nowIso(),
  }
  const insert = db.run(sql`insert into ${customers}
    (id, tenant_id, first_name, last_name, email, phone, phone_key, email_key, address, not_specified, updated_at)
    select ${values.id}, ${values.tenantId}, ${values.firstName}, ${values.lastName}, ${values.email}, ${values.phone},
      ${values.phoneKey}, ${values.emailKey}, ${JSON.stringify(values.address)}, 0, ${values.updatedAt}
    where ${customerId} = ${newId}
    on conflict do nothing`)
  return { statements: [insert], customerId }
}
