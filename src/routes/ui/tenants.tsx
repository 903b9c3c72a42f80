/**
 * Tenants page, the operator's (issue 18): every tenant with its state, suspend (erased after the
 * grace period) and restore. Over src/tenants/tenants.ts, like the API.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { actorOf } from '../../audit/audit-log'
import { database } from '../../db/client'
import { listTenants, restoreTenant, suspendTenant } from '../../tenants/tenants'
import { requireOperator } from '../api/auth'
import { Badge, CsrfField, Layout, query, Time } from './layout'
import { csrfToken, signedIn, type UiContext, type UiEnv } from './session'
import { NameAndId, Table } from './table'

async function tenantsPage(c: UiContext) {
  const session = c.get('session')
  requireOperator(session.caller)
  const { items, nextCursor } = await listTenants(database(c.env.DB), {
    limit: 100,
    cursor: c.req.query('cursor') || undefined,
  })
  const done = c.req.query('done')
  return c.html(
    <Layout title="Tenants" page="tenants" session={session} notice={done ? `The tenant was ${done}.` : undefined}>
      <Table
        id="tenants"
        rows={items}
        empty="No tenants yet."
        rowData={(tenant) => ({ tenant: tenant.id })}
        columns={[
          { label: 'Name', cell: (tenant) => <NameAndId name={tenant.name} id={tenant.id} /> },
          { label: 'Currency', cell: (tenant) => tenant.currency },
          { label: 'Created', cell: (tenant) => <Time at={tenant.createdAt} /> },
          {
            label: 'State',
            class: () => 'state',
            cell: (tenant) =>
              tenant.suspendedAt ? (
                <span>
                  <Badge value="suspended" /> erased after <Time at={tenant.eraseAfter} />
                </span>
              ) : (
                <Badge value="active" />
              ),
          },
          {
            label: '',
            cell: (tenant) => (
              <form
                method="post"
                action={`/tenants/${encodeURIComponent(tenant.id)}/${tenant.suspendedAt ? 'restore' : 'suspend'}`}
              >
                <CsrfField session={session} />
                <button type="submit" class={tenant.suspendedAt ? undefined : 'secondary'}>
                  {tenant.suspendedAt ? 'Restore' : 'Suspend'}
                </button>
              </form>
            ),
          },
        ]}
      />
      {nextCursor ? <a href={`/tenants${query({ cursor: nextCursor })}`}>More tenants</a> : null}
    </Layout>
  )
}

export const tenantPages = new Hono<UiEnv>()
  .get('/tenants', signedIn, tenantsPage)
  .post('/tenants/:id/suspend', csrf(), signedIn, csrfToken, async (c) => {
    const caller = c.get('session').caller
    requireOperator(caller)
    await suspendTenant(c.env, database(c.env.DB), actorOf(caller), c.req.param('id'))
    return c.redirect('/tenants?done=suspended', 303)
  })
  .post('/tenants/:id/restore', csrf(), signedIn, csrfToken, async (c) => {
    const caller = c.get('session').caller
    requireOperator(caller)
    await restoreTenant(c.env, database(c.env.DB), actorOf(caller), c.req.param('id'))
    return c.redirect('/tenants?done=restored', 303)
  })
