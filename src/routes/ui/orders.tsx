/**
 * The orders list: newest change first, with each order's hand-over and write-back state, filtered
 * by status, connection, those states and a text that matches the order number, the platform's id
 * or the customer's name. Paged with the API's keyset cursor.
 */
import type { FC } from 'hono/jsx'
import { ApiError } from '../../core/errors'
import { ORDER_STATUSES } from '../../core/model'
import { database } from '../../db/client'
import { ORDER_HANDOVER_STATES, WRITE_BACK_STATES } from '../../orders/integration-state'
import { connectionNamesQuery } from '../../read-models/connection-names'
import { type OrderListFilters, searchOrders } from '../../read-models/order-list'
import { Badge, ChooseTenant, FilterSelect, Layout, query, Time } from './layout'
import { TargetName } from './names'
import { pageTenant, type UiContext } from './session'
import { Table } from './table'

const PAGE_SIZE = 50

/** A filter's value if it is one of `values`; an unknown one is a 400, as in the API. */
function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  if (!value) return undefined
  if (!values.includes(value as T)) throw new ApiError(400, 'invalid_request', `not a state to filter by: ${value}`)
  return value as T
}

/** `none` reads as nothing to show; any other state as a badge. */
const StateBadge: FC<{ value: string }> = ({ value }) =>
  value === 'none' ? <span class="muted">none</span> : <Badge value={value} />

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
    <FilterSelect
      label="Hand-over"
      name="handover"
      selected={filters.handover}
      options={ORDER_HANDOVER_STATES.map((state) => ({ value: state }))}
    />
    <FilterSelect
      label="Write-back"
      name="writeBack"
      selected={filters.writeBack}
      options={WRITE_BACK_STATES.map((state) => ({ value: state }))}
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
    handover: oneOf(ORDER_HANDOVER_STATES, c.req.query('handover')),
    writeBack: oneOf(WRITE_BACK_STATES, c.req.query('writeBack')),
  }
  const db = database(c.env.DB)
  const connectionList = await connectionNamesQuery(db, tenantId)
  const { page, nextCursor: next } = await searchOrders(db, tenantId, filters, PAGE_SIZE)
  const connectionName = new Map(connectionList.map((connection) => [connection.id, connection.name]))
  return c.html(
    <Layout title="Orders" page="orders" session={session}>
      <FilterForm filters={filters} connectionList={connectionList} />
      <Table
        id="orders"
        rows={page}
        empty="No orders match."
        rowData={(order) => ({ order: order.id })}
        columns={[
          {
            label: 'Number',
            cell: (order) => (
              <span>
                <a href={`/orders/${encodeURIComponent(order.id)}`}>{order.number}</a>
                <div class="muted">
                  {order.platform} #{order.externalId}
                </div>
              </span>
            ),
          },
          {
            label: 'Customer',
            cell: (order) =>
              order.notSpecified ? (
                <span class="muted">not specified</span>
              ) : (
                [order.firstName, order.lastName].filter(Boolean).join(' ') || <span class="muted">—</span>
              ),
          },
          { label: 'Status', cell: (order) => <Badge value={order.status} /> },
          { label: 'Hand-over', class: () => 'handover', cell: (order) => <StateBadge value={order.handoverState} /> },
          {
            label: 'Write-back',
            class: () => 'write-back',
            cell: (order) => <StateBadge value={order.writeBackState} />,
          },
          { label: 'Total', cell: (order) => `${order.total} ${order.currency}` },
          {
            label: 'Connection',
            cell: (order) => (
              <TargetName
                id={order.connectionId}
                target={
                  connectionName.has(order.connectionId)
                    ? { name: connectionName.get(order.connectionId)!, kind: 'connection' }
                    : null
                }
              />
            ),
          },
          { label: 'Created', cell: (order) => <Time at={order.createdAt} /> },
          { label: 'Last change', cell: (order) => <Time at={order.changedAt} /> },
        ]}
      />
      {next ? (
        <p>
          <a href={`/orders${query({ ...filters, cursor: next })}`}>Older orders →</a>
        </p>
      ) : null}
    </Layout>
  )
}
