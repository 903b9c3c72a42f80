/**
 * Audit log page (issue 18): who did what to which id, newest first, filtered by action. A tenant
 * (admin scope) sees its own rows; the operator those of the chosen tenant, or its own tenant-less
 * actions when none is chosen. Over src/audit/audit-log.ts, like the API.
 */
import { AUDIT_ACTIONS, listAuditLog } from '../../audit/audit-log'
import { database } from '../../db/client'
import { FilterSelect, Layout, query, Time } from './layout'
import { pageTenant, type UiContext } from './session'

const PAGE_SIZE = 100

export async function auditLogPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'admin')
  const action = AUDIT_ACTIONS.find((known) => known === c.req.query('action'))
  const cursor = c.req.query('cursor') || undefined
  const { page, nextCursor } = await listAuditLog(database(c.env.DB), {
    tenantId,
    action,
    cursor,
    limit: PAGE_SIZE,
  })
  return c.html(
    <Layout title="Audit log" page="audit-log" session={session}>
      {tenantId ? null : <p class="notice">The operator’s own actions; choose a tenant to see its audit log.</p>}
      <form class="filters" method="get" action="/audit-log">
        <FilterSelect
          label="Action"
          name="action"
          selected={action}
          options={AUDIT_ACTIONS.map((value) => ({ value }))}
        />
        <button type="submit">Filter</button>
        <a href="/audit-log">clear</a>
      </form>
      {page.length ? (
        <table id="audit-log">
          <thead>
            <tr>
              <th>At</th>
              <th>Who</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {page.map((entry) => (
              <tr data-action={entry.action}>
                <td>
                  <Time at={entry.at} />
                </td>
                <td class="actor">{entry.actor === 'token' ? `token ${entry.actorTokenId}` : entry.actor}</td>
                <td>{entry.action}</td>
                <td>{entry.targetId}</td>
                <td>
                  <pre>{entry.details ? JSON.stringify(entry.details) : ''}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No entries.</p>
      )}
      {nextCursor ? <a href={`/audit-log${query({ action, cursor: nextCursor })}`}>Older entries</a> : null}
    </Layout>
  )
}
