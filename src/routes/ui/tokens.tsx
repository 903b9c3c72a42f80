/**
 * Tokens page (issue 18): the tenant's tokens (never the token itself), a form that makes one and
 * shows it once, and revoke buttons. Needs the admin scope, like the API's /tokens. Over
 * src/tokens/tokens.ts, the same use cases as the API.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { actorOf } from '../../audit/audit-log'
import { SCOPES, type Scope } from '../../core/caller'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import { createToken, listTokens, revokeToken } from '../../tokens/tokens'
import { ChooseTenant, CsrfField, Layout, Time } from './layout'
import { csrfToken, pageTenant, signedIn, type UiContext, type UiEnv } from './session'
import { NameAndId, Table } from './table'

async function tokensPage(c: UiContext, shown?: { token: string; name: string }, status: 200 | 201 = 200) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'admin')
  if (!tenantId)
    return c.html(
      <Layout title="Tokens" page="tokens" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const tokens = await listTokens(database(c.env.DB), tenantId)
  const notice = c.req.query('revoked') ? 'The token was revoked; it is refused from now on.' : undefined
  return c.html(
    <Layout title="Tokens" page="tokens" session={session} notice={notice}>
      {shown ? (
        <div class="card" id="new-token">
          <strong>{shown.name}</strong>: copy this token now, it is not shown again.
          <pre>
            <code>{shown.token}</code>
          </pre>
        </div>
      ) : null}
      <Table
        id="tokens"
        rows={tokens}
        empty="No tokens."
        rowData={(token) => ({ token: token.id })}
        columns={[
          { label: 'Name', cell: (token) => <NameAndId name={token.name} id={token.id} /> },
          { label: 'Scopes', cell: (token) => token.scopes.join(', ') },
          { label: 'Created', cell: (token) => <Time at={token.createdAt} /> },
          { label: 'Last used', cell: (token) => <Time at={token.lastUsedAt} /> },
          { label: 'Expires', cell: (token) => <Time at={token.expiresAt} /> },
          {
            label: '',
            cell: (token) => (
              <form method="post" action={`/tokens/${encodeURIComponent(token.id)}/revoke`}>
                <CsrfField session={session} />
                <button type="submit" class="secondary">
                  Revoke
                </button>
              </form>
            ),
          },
        ]}
      />
      <h2>New token</h2>
      <form method="post" action="/tokens" class="filters" id="create-token">
        <CsrfField session={session} />
        <label>
          Name
          <input name="name" required maxlength={200} />
        </label>
        {SCOPES.map((scope) => (
          <label>
            {scope}
            <input type="checkbox" name="scopes" value={scope} checked={scope === 'read'} />
          </label>
        ))}
        <label>
          Expires (UTC, optional)
          <input type="datetime-local" name="expiresAt" step="1" />
        </label>
        <button type="submit">Create</button>
      </form>
    </Layout>,
    status
  )
}

function formList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string')
  return typeof value === 'string' ? [value] : []
}

export const tokenPages = new Hono<UiEnv>()
  .get('/tokens', signedIn, (c) => tokensPage(c))
  .post('/tokens', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = pageTenant(c, 'admin')
    if (!tenantId) throw new ApiError(400, 'tenant_required', 'choose a tenant first')
    const form = await c.req.parseBody({ all: true })
    const name = typeof form.name === 'string' && form.name.trim() ? form.name.trim().slice(0, 200) : 'API token'
    const scopes = formList(form.scopes).filter((scope): scope is Scope =>
      (SCOPES as readonly string[]).includes(scope)
    )
    if (!scopes.length) throw new ApiError(400, 'invalid_request', 'choose at least one scope')
    const expiry = typeof form.expiresAt === 'string' && form.expiresAt ? new Date(`${form.expiresAt}Z`) : null
    if (expiry && (Number.isNaN(expiry.getTime()) || expiry.getTime() <= Date.now()))
      throw new ApiError(400, 'invalid_request', 'the expiry must be a time in the future')
    const { token } = await createToken(database(c.env.DB), actorOf(c.get('session').caller), tenantId, {
      name,
      scopes,
      expiresAt: expiry?.toISOString() ?? null,
    })
    return tokensPage(c, { token, name }, 201)
  })
  .post('/tokens/:id/revoke', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = pageTenant(c, 'admin')
    if (!tenantId) throw new ApiError(400, 'tenant_required', 'choose a tenant first')
    await revokeToken(database(c.env.DB), actorOf(c.get('session').caller), tenantId, c.req.param('id'))
    return c.redirect('/tokens?revoked=1', 303)
  })
