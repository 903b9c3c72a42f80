/**
 * Outbound calls: what left the hub (hand-overs, write-backs, report acknowledgements), newest
 * first, filtered by connection and result; where a destination's failures are listed.
 */
import { database } from '../../db/client'
import { connectionNamesQuery } from '../../read-models/connection-names'
import { listOutboundCalls } from '../../read-models/outbound-calls'
import { Badge, ChooseTenant, FilterSelect, Layout, query, Time } from './layout'
import { pageTenant, type UiContext } from './session'

const RESULTS = ['started', 'done', 'failed', 'not_applicable'] as const
const PAGE_SIZE = 100

export async function outboundCallsPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Outbound calls" page="connections" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const filters = {
    connectionId: c.req.query('connectionId') || undefined,
    result: c.req.query('result') || undefined,
    cursor: c.req.query('cursor') || undefined,
  }
  const db = database(c.env.DB)
  const [connectionList, { items, nextCursor }] = await Promise.all([
    connectionNamesQuery(db, tenantId),
    listOutboundCalls(db, tenantId, filters, PAGE_SIZE),
  ])
  const names = new Map(connectionList.map((row) => [row.id, row.name]))
  return c.html(
    <Layout title="Outbound calls" page="connections" session={session}>
      <form class="filters" method="get" action="/outbound-calls">
        <FilterSelect
          label="Connection"
          name="connectionId"
          selected={filters.connectionId}
          options={connectionList.map((row) => ({ value: row.id, label: row.name }))}
        />
        <FilterSelect
          label="Result"
          name="result"
          selected={filters.result}
          options={RESULTS.map((result) => ({ value: result }))}
        />
        <button type="submit">Filter</button>
        <a href="/outbound-calls">clear</a>
      </form>
      {items.length ? (
        <table id="outbound-calls">
          <thead>
            <tr>
              <th>At</th>
              <th>Connection</th>
              <th>Order</th>
              <th>Action</th>
              <th>Result</th>
              <th>Attempts</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {items.map((call) => (
              <tr>
                <td>
                  <Time at={call.at} />
                </td>
                <td>{names.get(call.connectionId) ?? call.connectionId}</td>
                <td>{call.orderId ? <a href={`/orders/${encodeURIComponent(call.orderId)}`}>order</a> : '—'}</td>
                <td>{call.action}</td>
                <td>
                  <Badge value={call.result} />
                </td>
                <td>{call.attempts}</td>
                <td>{call.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No outbound calls match.</p>
      )}
      {nextCursor ? (
        <p>
          <a href={`/outbound-calls${query({ ...filters, cursor: nextCursor })}`}>Older calls →</a>
        </p>
      ) : null}
    </Layout>
  )
}
