/**
 * Outbound calls: what left the hub (hand-overs, write-backs, report acknowledgements), newest
 * first, filtered by connection and result; where a destination's failures are listed. Each names
 * its connection or hub endpoint, linked, with the id in the title.
 */
import { database } from '../../db/client'
import { connectionNamesQuery, namesOfTargets } from '../../read-models/connection-names'
import { listOutboundCalls } from '../../read-models/outbound-calls'
import { ChooseTenant, FilterSelect, Layout, query } from './layout'
import { OutboundCallTable } from './outbound-call-table'
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
  const names = await namesOfTargets(db, tenantId, [...new Set(items.map((call) => call.connectionId))])
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
      <OutboundCallTable calls={items} names={names} showOrder empty="No outbound calls match." />
      {nextCursor ? (
        <p>
          <a href={`/outbound-calls${query({ ...filters, cursor: nextCursor })}`}>Older calls →</a>
        </p>
      ) : null}
    </Layout>
  )
}
