/**
 * The import log: every import decision, newest first, filtered by result, rule and connection,
 * with the rule's text (SPEC §5) beside its id.
 */
import { RULES, ruleText } from '../../core/rules'
import { database } from '../../db/client'
import { importLogView } from '../../read-models/import-log'
import { Badge, ChooseTenant, FilterSelect, Layout, query, Time } from './layout'
import { pageTenant, type UiContext } from './session'

const RESULTS = ['created', 'updated', 'unchanged', 'duplicate', 'skipped', 'rejected', 'failed'] as const
const PAGE_SIZE = 100

export async function importLogPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Import log" page="import-log" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const filters = {
    result: c.req.query('result') || undefined,
    rule: c.req.query('rule')?.trim().toUpperCase() || undefined,
    connectionId: c.req.query('connectionId') || undefined,
    externalId: c.req.query('externalId')?.trim() || undefined,
    cursor: c.req.query('cursor') || undefined,
  }
  const {
    connections: connectionList,
    page,
    nextCursor: next,
  } = await importLogView(database(c.env.DB), tenantId, filters, PAGE_SIZE)
  const names = new Map(connectionList.map((row) => [row.id, row.name]))
  return c.html(
    <Layout title="Import log" page="import-log" session={session}>
      <form class="filters" method="get" action="/import-log">
        <FilterSelect
          label="Result"
          name="result"
          selected={filters.result}
          options={RESULTS.map((result) => ({ value: result }))}
        />
        <FilterSelect
          label="Rule"
          name="rule"
          selected={filters.rule}
          options={Object.keys(RULES).map((id) => ({ value: id }))}
        />
        <FilterSelect
          label="Connection"
          name="connectionId"
          selected={filters.connectionId}
          options={connectionList.map((row) => ({ value: row.id, label: row.name }))}
        />
        <label>
          External id <input type="search" name="externalId" value={filters.externalId ?? ''} />
        </label>
        <button type="submit">Filter</button>
        <a href="/import-log">clear</a>
      </form>
      {page.length ? (
        <table id="import-log">
          <thead>
            <tr>
              <th>At</th>
              <th>Connection</th>
              <th>Kind</th>
              <th>External id</th>
              <th>Result</th>
              <th>Rule</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {page.map((entry) => (
              <tr>
                <td>
                  <Time at={entry.at} />
                </td>
                <td>{names.get(entry.connectionId) ?? entry.connectionId}</td>
                <td>{entry.kind}</td>
                <td>
                  {entry.orderId ? (
                    <a href={`/orders/${entry.orderId}`}>{entry.externalId}</a>
                  ) : (
                    (entry.externalId ?? '—')
                  )}
                </td>
                <td>
                  <Badge value={entry.result} />
                </td>
                <td class="rule">
                  {entry.rule ? (
                    <span>
                      <strong>{entry.rule}</strong> <span class="muted">{ruleText(entry.rule) ?? ''}</span>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{entry.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No entries match.</p>
      )}
      {next ? (
        <p>
          <a href={`/import-log${query({ ...filters, cursor: next })}`}>Older entries →</a>
        </p>
      ) : null}
    </Layout>
  )
}
