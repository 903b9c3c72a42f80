/**
 * The operator's overview (issue 19 finding 7): every tenant's health on one page, worst first,
 * 50 a page, each with its last 24 hours as a chart. The operator lands here while no tenant is
 * chosen; a tenant token is sent to its own connections page. Every figure links to the list
 * that holds it through `/tenant/{id}?to=…`, which chooses that tenant first: health to the
 * connections page (each connection's failures link on from there), dead letters to the pending
 * ones, hand-overs and write-backs to the orders list filtered by their state (issue 19 finding 5).
 */
import { Hono } from 'hono'
import type { Child, FC } from 'hono/jsx'
import { database } from '../../db/client'
import { tenantActivity } from '../../read-models/activity'
import type { Bucket } from '../../read-models/activity-buckets'
import { tenantOverview, type TenantHealth } from '../../read-models/tenant-overview'
import { requireOperator, tenantExists } from '../api/auth'
import { ActivityChart } from './activity-chart'
import { Layout, query, Time } from './layout'
import { chooseTenant, signedIn, type UiContext, type UiEnv } from './session'

export const OVERVIEW_PAGE_SIZE = 50

/** The stylesheet's badge colours: red, amber, green, grey. */
const STATE_BADGE: Record<TenantHealth['state'], string> = {
  failing: 'failed',
  attention: 'pending',
  healthy: 'done',
  suspended: 'suspended',
}

/** Where a figure's link leads once its tenant is chosen: a path of this dashboard, nothing else. */
export function localPath(to: string | undefined): string {
  if (!to || !to.startsWith('/') || to.startsWith('//') || to.includes('\\')) return '/'
  return to
}

export function tenantLink(tenantId: string, to: string): string {
  return `/tenant/${encodeURIComponent(tenantId)}${query({ to })}`
}

/** A figure that links to its list; zero reads muted, above zero in the given tone. */
const Figure: FC<{ tenantId: string; to: string; value: number; tone?: 'bad' | 'warn'; children?: Child }> = ({
  tenantId,
  to,
  value,
  tone = 'bad',
  children,
}) => (
  <a href={tenantLink(tenantId, to)} class={value ? tone : 'muted'}>
    {value} {children}
  </a>
)

const TenantRow: FC<{ tenant: TenantHealth; activity: Bucket[] }> = ({ tenant, activity }) => (
  <tr data-tenant={tenant.id} data-state={tenant.state}>
    <td>
      <a href={tenantLink(tenant.id, '/')}>{tenant.name}</a>
      <div class="muted">{tenant.id}</div>
    </td>
    <td class="state">
      <span class={`badge ${STATE_BADGE[tenant.state]}`}>{tenant.state}</span>
      {tenant.suspendedAt ? (
        <div class="muted">
          erased after <Time at={tenant.eraseAfter} />
        </div>
      ) : null}
    </td>
    <td data-figure="health">
      <div>
        <Figure tenantId={tenant.id} to="/" value={tenant.failingNow}>
          failing now
        </Figure>
        ,{' '}
        <Figure tenantId={tenant.id} to="/" value={tenant.recovered} tone="warn">
          recovered
        </Figure>
      </div>
      <div>
        <Figure tenantId={tenant.id} to="/" value={tenant.failures24h} tone="warn">
          failures in 24 h
        </Figure>
      </div>
      <div class="muted">{tenant.connections} connections</div>
    </td>
    <td data-figure="dead-letters">
      <Figure tenantId={tenant.id} to="/dead-letters?pending=1" value={tenant.deadLetters}>
        pending
      </Figure>
    </td>
    <td data-figure="orders">
      <a href={tenantLink(tenant.id, '/orders')}>{tenant.ordersImported24h}</a>
    </td>
    <td data-figure="handovers">
      <div>
        <Figure tenantId={tenant.id} to="/orders?handover=failed" value={tenant.handoversFailing}>
          failing
        </Figure>
      </div>
      <div>
        <Figure tenantId={tenant.id} to="/orders?handover=pending" value={tenant.handoversWaiting} tone="warn">
          waiting
        </Figure>
      </div>
    </td>
    <td data-figure="write-backs">
      <Figure tenantId={tenant.id} to="/orders?writeBack=failing" value={tenant.writeBacksFailing}>
        failing
      </Figure>
    </td>
    <td>
      <ActivityChart
        id={`activity-${tenant.id}`}
        title={`${tenant.name}: orders imported and failures, last 24 hours`}
        span="day"
        buckets={activity}
        compact
      />
    </td>
  </tr>
)

async function overviewPage(c: UiContext) {
  const session = c.get('session')
  if (session.caller.kind === 'tenant') return c.redirect('/', 303)
  requireOperator(session.caller)
  const page = Math.max(1, Math.floor(Number(c.req.query('page')) || 1))
  const db = database(c.env.DB)
  const now = new Date()
  const { items, total } = await tenantOverview(
    db,
    { limit: OVERVIEW_PAGE_SIZE, offset: (page - 1) * OVERVIEW_PAGE_SIZE },
    now
  )
  const activity = await tenantActivity(
    db,
    items.map((tenant) => tenant.id),
    'day',
    now
  )
  const pages = Math.max(1, Math.ceil(total / OVERVIEW_PAGE_SIZE))
  return c.html(
    <Layout title="Overview" page="overview" session={session}>
      <p class="muted">
        Every tenant's health, worst first. Choose a tenant at the top right, or follow a figure, to see its data.
      </p>
      {items.length ? (
        <table id="overview">
          <thead>
            <tr>
              <th>Tenant</th>
              <th>State</th>
              <th>Connections</th>
              <th>Dead letters</th>
              <th>Orders imported in 24 h</th>
              <th>Hand-overs</th>
              <th>Write-backs</th>
              <th>Last 24 hours</th>
            </tr>
          </thead>
          <tbody>
            {items.map((tenant) => (
              <TenantRow tenant={tenant} activity={activity.get(tenant.id) ?? []} />
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No tenants on this page. Create one with POST /api/v1/tenants.</p>
      )}
      <p class="pages">
        {page > 1 ? <a href={`/overview${query({ page: String(page - 1) })}`}>← Worse</a> : null}{' '}
        <span class="muted">
          page {page} of {pages}, {total} tenants
        </span>{' '}
        {page < pages ? <a href={`/overview${query({ page: String(page + 1) })}`}>Healthier →</a> : null}
      </p>
    </Layout>
  )
}

export { overviewPage }

export const overviewPages = new Hono<UiEnv>()
  .get('/overview', signedIn, overviewPage)
  // Chooses the tenant (as the header's selector does) and opens one of its lists. A GET, so a
  // figure can be a plain link: it changes only which tenant the operator looks at, and the
  // SameSite=Strict session cookie keeps other sites from sending the operator here signed in.
  .get('/tenant/:id', signedIn, async (c) => {
    requireOperator(c.get('session').caller)
    const tenantId = c.req.param('id')
    if (!(await tenantExists(c.env, tenantId))) return c.redirect('/overview', 303)
    chooseTenant(c, tenantId)
    return c.redirect(localPath(c.req.query('to')), 303)
  })
