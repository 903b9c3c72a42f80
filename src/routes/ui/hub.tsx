/**
 * Hub endpoints pages (issue 18): the tenant's endpoints with disable / enable and a secret
 * rotation (the new secret shown once), and per endpoint its deliveries, each with every attempt,
 * and a replay button. Reading needs `read`, changing `admin`. Over src/hub/endpoints.ts.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { actorOf } from '../../audit/audit-log'
import { keyringOf } from '../../core/crypto'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import {
  getDelivery,
  listDeliveries,
  listEndpoints,
  ownEndpoint,
  presentEndpoint,
  replayDelivery,
  rotateEndpointSecret,
  updateEndpoint,
} from '../../hub/endpoints'
import { Badge, ChooseTenant, CsrfField, Layout, Time } from './layout'
import { csrfToken, pageTenant, type Session, signedIn, type UiContext, type UiEnv } from './session'

const canChange = (session: Session) => session.caller.kind === 'operator' || session.caller.scopes.includes('admin')

async function endpointsPage(c: UiContext, rotated?: { id: string; secret: string }) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Hub endpoints" page="hub" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const endpoints = await listEndpoints(database(c.env.DB), tenantId)
  const admin = canChange(session)
  return c.html(
    <Layout title="Hub endpoints" page="hub" session={session}>
      {rotated ? (
        <div class="card" id="new-secret">
          New signing secret of {rotated.id}; copy it now, it is not shown again. The old one signs beside it for 24
          hours.
          <pre>
            <code>{rotated.secret}</code>
          </pre>
        </div>
      ) : null}
      {endpoints.length ? (
        <table id="endpoints">
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>State</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => (
              <tr data-endpoint={endpoint.id}>
                <td>
                  <a href={`/hub/${encodeURIComponent(endpoint.id)}`}>{endpoint.url}</a>
                  <div class="muted">{endpoint.id}</div>
                </td>
                <td>{endpoint.events.join(', ')}</td>
                <td class="state">
                  {endpoint.disabled ? (
                    <span>
                      <Badge value="disabled" /> {endpoint.disabledReason}
                    </span>
                  ) : (
                    <Badge value="enabled" />
                  )}
                  {endpoint.failingSince ? (
                    <div class="warn">
                      failing since <Time at={endpoint.failingSince} />
                    </div>
                  ) : null}
                </td>
                <td>
                  {admin ? (
                    <span>
                      <form method="post" action={`/hub/${encodeURIComponent(endpoint.id)}/disabled`}>
                        <CsrfField session={session} />
                        <input type="hidden" name="disabled" value={endpoint.disabled ? 'false' : 'true'} />
                        <button type="submit" class="secondary">
                          {endpoint.disabled ? 'Enable' : 'Disable'}
                        </button>
                      </form>
                      <form method="post" action={`/hub/${encodeURIComponent(endpoint.id)}/rotate`}>
                        <CsrfField session={session} />
                        <button type="submit" class="secondary">
                          Rotate secret
                        </button>
                      </form>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No hub endpoints. Register one with POST /api/v1/webhook-endpoints.</p>
      )}
    </Layout>,
    rotated ? 201 : 200
  )
}

async function deliveriesPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId) return c.redirect('/hub', 303)
  const db = database(c.env.DB)
  const endpoint = presentEndpoint(await ownEndpoint(db, tenantId, c.req.param('id') ?? ''))
  const { items } = await listDeliveries(db, tenantId, endpoint.id, { limit: 50, cursor: c.req.query('cursor') })
  const detailed = await Promise.all(items.map((item) => getDelivery(db, tenantId, endpoint.id, item.id)))
  const admin = canChange(session)
  const notice = c.req.query('replayed') ? 'The delivery was queued again.' : undefined
  return c.html(
    <Layout title={`Deliveries to ${endpoint.url}`} page="hub" session={session} notice={notice}>
      <p>
        <a href="/hub">All endpoints</a>
      </p>
      {detailed.length ? (
        <table id="deliveries">
          <thead>
            <tr>
              <th>Created</th>
              <th>Type</th>
              <th>State</th>
              <th>Attempts</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {detailed.map((delivery) => (
              <tr data-delivery={delivery.id}>
                <td>
                  <Time at={delivery.createdAt} />
                  <div class="muted">{delivery.id}</div>
                </td>
                <td>{delivery.type}</td>
                <td class="state">
                  <Badge value={delivery.state} />
                  {delivery.lastError ? <div class="bad">{delivery.lastError}</div> : null}
                </td>
                <td>
                  <ol class="attempts">
                    {delivery.attemptHistory.map((attempt) => (
                      <li>
                        <Time at={attempt.at} /> — {attempt.status ?? 'no answer'}, {attempt.durationMs} ms
                        {attempt.error ? <div class="bad">{attempt.error}</div> : null}
                        {attempt.response ? <pre>{attempt.response}</pre> : null}
                      </li>
                    ))}
                  </ol>
                </td>
                <td>
                  {admin ? (
                    <form
                      method="post"
                      action={`/hub/${encodeURIComponent(endpoint.id)}/deliveries/${encodeURIComponent(delivery.id)}/replay`}
                    >
                      <CsrfField session={session} />
                      <button type="submit">Replay</button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No deliveries yet.</p>
      )}
    </Layout>
  )
}

function adminTenant(c: UiContext): string {
  const tenantId = pageTenant(c, 'admin')
  if (!tenantId) throw new ApiError(400, 'tenant_required', 'choose a tenant first')
  return tenantId
}

export const hubPages = new Hono<UiEnv>()
  .get('/hub', signedIn, (c) => endpointsPage(c))
  .get('/hub/:id', signedIn, deliveriesPage)
  .post('/hub/:id/disabled', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = adminTenant(c)
    const disabled = (await c.req.parseBody()).disabled === 'true'
    const who = actorOf(c.get('session').caller)
    await updateEndpoint(database(c.env.DB), c.env.DISPATCH, who, tenantId, c.req.param('id'), { disabled })
    return c.redirect('/hub', 303)
  })
  .post('/hub/:id/rotate', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = adminTenant(c)
    const who = actorOf(c.get('session').caller)
    const id = c.req.param('id')
    const { secret } = await rotateEndpointSecret(database(c.env.DB), keyringOf(c.env), who, tenantId, id)
    return endpointsPage(c, { id, secret })
  })
  .post('/hub/:id/deliveries/:deliveryId/replay', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = adminTenant(c)
    const { id, deliveryId } = c.req.param()
    await replayDelivery(database(c.env.DB), c.env.DISPATCH, actorOf(c.get('session').caller), tenantId, id, deliveryId)
    return c.redirect(`/hub/${encodeURIComponent(id)}?replayed=1`, 303)
  })
