/**
 * The orders list: newest change first, filtered by status, connection and a text that matches
 * the order number, the platform's id or the customer's name. Paged with the API's keyset cursor.
 */
import { and, asc, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { FC } from 'hono/jsx'
import { ORDER_STATUSES } from '../../core/model'
import { database } from '../../db/client'
import { afterCursor, keysetPage } from '../../db/keyset'
import { connections, customers, orders } from '../../db/schema'
import { Badge, ChooseTenant, FilterSelect, Layout, query, Time } from './layout'
import { pageTenant, type UiContext } from './session'

const PAGE_SIZE = 50

type Filters = { status?: string; connectionId?: string; q?: string; cursor?: string }

/** `text` inside a LIKE pattern, with its wildcards escaped (ESCAPE '\'). */
function likePattern(text: string) {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

function textMatch(text: string): SQL {
  const pattern = likePattern(text)
  return or(
    sql`${orders.number} like ${pattern} escape '\\'`,
    sql`${orders.externalId} like ${pattern} escape '\\'`,
    sql`(coalesce(${customers.firstName}, '') || ' ' || coalesce(${customers.lastName}, '')) like ${pattern} escape '\\'`
  )!
}

const FilterForm: FC<{ filters: Filters; connectionList: { id: string; name: string }[] }> = ({
  filters,
  connectionList,
}) => (
  <form class="filters" method="get" action="/orders">
    <FilterSelect
      label="Status"
      name="status"
      selected={filters.status}
      options={ORDER_STATUSES.map((status) => ({ value: status }))}
    />
    <FilterSelect
      label="Connection"
      name="connectionId"
      selected={filters.connectionId}
      options={connectionList.map((connection) => ({ value: connection.id, label: connection.name }))}
    />
    <label>
      Number, id or customer
      <input type="search" name="q" value={filters.q ?? ''} />
    </label>
    <button type="submit">Filter</button>
    <a href="/orders">clear</a>
  </form>
)

export async function ordersPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Orders" page="orders" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const filters: Filters = {
    status: c.req.query('status') || undefined,
    connectionId: c.req.query('connectionId') || undefined,
    q: c.req.query('q')?.trim() || undefined,
    cursor: c.req.query('cursor') || undefined,
  }
  const db = database(c.env.DB)
  const connectionList = await db
    .select({ id: connections.id, name: connections.name })
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
    .orderBy(asc(connections.name))
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
    })
    .from(orders)
    .leftJoin(customers, and(eq(customers.id, orders.customerId), eq(customers.tenantId, tenantId)))
    .where(
      and(
        eq(orders.tenantId, tenantId),
        filters.status ? eq(orders.status, filters.status) : undefined,
        filters.connectionId ? eq(orders.connectionId, filters.connectionId) : undefined,
        filters.q ? textMatch(filters.q) : undefined,
        afterCursor(filters.cursor, orders.changedAt, orders.id)
      )
    )
    .orderBy(desc(orders.changedAt), desc(orders.id))
    .limit(PAGE_SIZE + 1)
  const { page, nextCursor: next } = keysetPage(rows, PAGE_SIZE, (row) => [row.changedAt, row.id])
  const connectionName = new Map(connectionList.map((connection) => [connection.id, connection.name]))
  return c.html(
    <Layout title="Orders" page="orders" session={session}>
      <FilterForm filters={filters} connectionList={connectionList} />
      {page.length ? (
        <table id="orders">
          <thead>
            <tr>
              <th>Number</th>
              <th>Customer</th>
              <th>Status</th>
              <th>Total</th>
              <th>Connection</th>
              <th>Created</th>
              <th>Last change</th>
            </tr>
          </thead>
          <tbody>
            {page.map((order) => (
              <tr data-order={order.id}>
                <td>
                  <a href={`/orders/${encodeURIComponent(order.id)}`}>{order.number}</a>
                  <div class="muted">
                    {order.platform} #{order.externalId}
                  </div>
                </td>
                <td>
                  {order.notSpecified ? (
                    <span class="muted">not specified</span>
                  ) : (
                    [order.firstName, order.lastName].filter(Boolean).join(' ') || <span class="muted">—</span>
                  )}
                </td>
                <td>
                  <Badge value={order.status} />
                </td>
                <td>
                  {order.total} {order.currency}
                </td>
                <td>{connectionName.get(order.connectionId) ?? order.connectionId}</td>
                <td>
                  <Time at={order.createdAt} />
                </td>
                <td>
                  <Time at={order.changedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted" id="no-orders">
          No orders match.
        </p>
      )}
      {next ? (
        <p>
          <a href={`/orders${query({ ...filters, cursor: next })}`}>Older orders →</a>
        </p>
      ) : null}
    </Layout>
  )
}
