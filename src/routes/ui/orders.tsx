/**
 * The orders list: newest change first, filtered by status, connection and a text that matches
 * the order number, the platform's id or the customer's name. Paged with the API's keyset cursor.
 */
import type { FC } from 'hono/jsx'
import { ORDER_STATUSES } from '../../core/model'
import { database } from '../../db/client'
import { connectionNamesQuery } from '../../read-models/connection-names'
import { type OrderListFilters, searchOrders } from '../../read-models/order-list'
import { Badge, ChooseTenant, FilterSelect, Layout, query, Time } from './layout'
import { pageTenant, type UiContext } from './session'

const PAGE_SIZE = 50

type Filters = OrderListFilters

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
  const connectionList = await connectionNamesQuery(db, tenantId)
  const { page, nextCursor: next } = await searchOrders(db, tenantId, filters, PAGE_SIZE)
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
