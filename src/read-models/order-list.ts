/**
 * The dashboard's orders list: newest change first, each with its hand-over and write-back state,
 * filtered by status, connection, those states and a text that matches the order number, the
 * platform's id or the customer's name; paged with the API's keyset cursor.
 */
import { and, desc, eq, or, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { customers, orders } from '../db/schema'
import {
  handoverStateSql,
  type IntegrationStateFilter,
  integrationStateMatch,
  writeBackStateSql,
} from '../orders/integration-state'

export type OrderListFilters = {
  status?: string
  connectionId?: string
  q?: string
  cursor?: string
} & IntegrationStateFilter

/** `text` inside a LIKE pattern, with its wildcards escaped (ESCAPE '\'). */
function likePattern(text: string) {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

/** Orders whose number, platform id or customer's name contains `text`; the API's `q=` too. */
export function orderTextMatch(text: string): SQL {
  const pattern = likePattern(text)
  return or(
    sql`${orders.number} like ${pattern} escape '\\'`,
    sql`${orders.externalId} like ${pattern} escape '\\'`,
    sql`${orders.customerId} in (select ${customers.id} from ${customers} where (coalesce(${customers.firstName}, '') || ' ' || coalesce(${customers.lastName}, '')) like ${pattern} escape '\\')`
  )!
}

export async function searchOrders(db: Database, tenantId: string, filters: OrderListFilters, limit: number) {
  const rows = await db
    .select({
      id: orders.id,
      number: orders.number,
      externalId: orders.externalId,
      platform: orders.platform,
      connectionId: orders.connectionId,
      status: orders.status,
      total: orders.total,
      currency: orders.currency,
      createdAt: orders.createdAt,
      changedAt: orders.changedAt,
      firstName: customers.firstName,
      lastName: customers.lastName,
      notSpecified: customers.notSpecified,
      handoverState: handoverStateSql,
      writeBackState: writeBackStateSql,
    })
    .from(orders)
    .leftJoin(customers, and(eq(customers.id, orders.customerId), eq(customers.tenantId, tenantId)))
    .where(
      and(
        eq(orders.tenantId, tenantId),
        filters.status ? eq(orders.status, filters.status) : undefined,
        filters.connectionId ? eq(orders.connectionId, filters.connectionId) : undefined,
        filters.q ? orderTextMatch(filters.q) : undefined,
        ...integrationStateMatch(filters),
        afterCursor(filters.cursor, orders.changedAt, orders.id)
      )
    )
    .orderBy(desc(orders.changedAt), desc(orders.id))
    .limit(limit + 1)
  return keysetPage(rows, limit, (row) => [row.changedAt, row.id])
}
