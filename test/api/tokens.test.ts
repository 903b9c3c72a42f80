/**
 * Tokens (issue 18) in workerd: listed without the token, last use written at most once a
 * minute, revoked at once on the API and the dashboard, expired with a message that says so,
 * and never the tenant's last working admin token. The audit trail records who did it.
 */
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/core/crypto'
import { ADMIN_TOKEN, api, apiJson, createTenant, KONTOR } from '../helpers'

async function tokenRow(id: string) {
  return env.DB.prepare('select last_used_at, revoked_at, expires_at from tokens where id = ?')
    .bind(id)
    .first<{ last_used_at: string | null; revoked_at: string | null; expires_at: string | null }>()
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error
}

/** A dashboard request as a browser sends it, redirects not followed. */
function page(path: string, cookie: string, init: RequestInit = {}) {
  return (exports as unknown as { default: Fetcher }).default.fetch(
    new Request(`${KONTOR}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { cookie, origin: KONTOR, ...init.headers },
    })
  )
}

/** Signs in to the dashboard with `token` and returns the session's cookie header. */
async function dashboardSession(token: string): Promise<string> {
  const response = await page('/sign-in', '', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  })
  expect(response.status).toBe(303)
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

describe('tokens', () => {
  it('creates a named token with an expiry and lists tokens without the token or its hash', async () => {
    const tenant = await createTenant()
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString()
    const made = await apiJson('/api/v1/tokens', {
      token: tenant.token,
      body: { name: 'warehouse reader', scopes: ['read'], expiresAt },
    })
    expect(made).toMatchObject({ name: 'warehouse reader', scopes: ['read'], expiresAt })
    expect(made.token).toMatch(/^kt_/)

    const response = await api('/api/v1/tokens', { token: tenant.token })
    const text = await response.text()
    expect(text).not.toContain(made.token)
    expect(text).not.toContain(await sha256Hex(made.token))
    expect(text).not.toContain(tenant.token)
    const { items } = JSON.parse(text)
    expect(items.map((token: any) => token.name)).toEqual(['first admin token', 'warehouse reader'])
    expect(items[1]).toEqual({
      id: made.id,
      name: 'warehouse reader',
      scopes: ['read'],
      createdAt: expect.any(String),
      lastUsedAt: null,
      expiresAt,
    })
  })

  it('writes last use at most once a minute per token', async () => {
    const tenant = await createTenant()
    const made = await apiJson('/api/v1/tokens', { token: tenant.token, body: { scopes: ['read'] } })
    await apiJson('/api/v1/orders', { token: made.token })
    const first = (await tokenRow(made.id))!.last_used_at
    expect(first).toBeTruthy()
    for (let i = 0; i < 3; i++) await apiJson('/api/v1/orders', { token: made.token })
    expect((await tokenRow(made.id))!.last_used_at).toBe(first)
    // A minute later the next request writes it again.
    const earlier = new Date(Date.now() - 61_000).toISOString()
    await env.DB.prepare('update tokens set last_used_at = ? where id = ?').bind(earlier, made.id).run()
    await apiJson('/api/v1/orders', { token: made.token })
    expect((await tokenRow(made.id))!.last_used_at! > earlier).toBe(true)
    const listed = await apiJson('/api/v1/tokens', { token: tenant.token })
    expect(listed.items.find((token: any) => token.id === made.id).lastUsedAt).toBe(
      (await tokenRow(made.id))!.last_used_at
    )
  })

  it('a revoked token is refused at once on the API and the dashboard', async () => {
    const tenant = await createTenant()
    const made = await apiJson('/api/v1/tokens', { token: tenant.token, body: { name: 'leaked', scopes: ['read'] } })
    const cookie = await dashboardSession(made.token)
    expect((await page('/', cookie)).status).toBe(200)

    expect((await api(`/api/v1/tokens/${made.id}`, { method: 'DELETE', token: tenant.token })).status).toBe(204)
    const refused = await api('/api/v1/orders', { token: made.token })
    expect(refused.status).toBe(401)
    expect((await errorOf(refused)).message).toContain('revoked')
    const after = await page('/', cookie)
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toBe('/sign-in')
    const listed = await apiJson('/api/v1/tokens', { token: tenant.token })
    expect(listed.items.map((token: any) => token.id)).not.toContain(made.id)
    // Revoking again, or another tenant's token, is a 404.
    expect((await api(`/api/v1/tokens/${made.id}`, { method: 'DELETE', token: tenant.token })).status).toBe(404)
  })

  it('an expired token gets 401 saying it expired; an expiry in the past is refused', async () => {
    const tenant = await createTenant()
    const made = await apiJson('/api/v1/tokens', {
      token: tenant.token,
      body: { scopes: ['read'], expiresAt: new Date(Date.now() + 60_000).toISOString() },
    })
    expect((await api('/api/v1/orders', { token: made.token })).status).toBe(200)
    await env.DB.prepare('update tokens set expires_at = ? where id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), made.id)
      .run()
    const refused = await api('/api/v1/orders', { token: made.token })
    expect(refused.status).toBe(401)
    expect(await errorOf(refused)).toEqual({ code: 'unauthorized', message: 'this token has expired' })
    const past = await api('/api/v1/tokens', {
      token: tenant.token,
      body: { scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' },
    })
    expect(past.status).toBe(400)
  })

  it('a tenant cannot revoke its last working admin token', async () => {
    const tenant = await createTenant()
    const [first] = (await apiJson('/api/v1/tokens', { token: tenant.token })).items
    const last = await api(`/api/v1/tokens/${first.id}`, { method: 'DELETE', token: tenant.token })
    expect(last.status).toBe(409)
    expect((await errorOf(last)).code).toBe('last_admin_token')
    // An expired admin token does not count as a working one.
    const expiring = await apiJson('/api/v1/tokens', {
      token: tenant.token,
      body: { name: 'second admin', scopes: ['admin'], expiresAt: new Date(Date.now() + 60_000).toISOString() },
    })
    await env.DB.prepare('update tokens set expires_at = ? where id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), expiring.id)
      .run()
    expect((await api(`/api/v1/tokens/${first.id}`, { method: 'DELETE', token: tenant.token })).status).toBe(409)
    // With another working admin token it can, and the operator can act for the tenant too.
    const second = await apiJson('/api/v1/tokens', { token: tenant.token, body: { scopes: ['admin', 'read'] } })
    const revoked = await api(`/api/v1/tokens/${first.id}`, {
      method: 'DELETE',
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': tenant.id },
    })
    expect(revoked.status).toBe(204)
    expect((await api(`/api/v1/tokens/${second.id}`, { method: 'DELETE', token: second.token })).status).toBe(409)
    expect((await api('/api/v1/orders', { token: second.token })).status).toBe(200)
  })

  it('the audit log records who made and revoked tokens, without any token value', async () => {
    const tenant = await createTenant()
    const [first] = (await apiJson('/api/v1/tokens', { token: tenant.token })).items
    const made = await apiJson('/api/v1/tokens', { token: tenant.token, body: { name: 'ci', scopes: ['read'] } })
    await api(`/api/v1/tokens/${made.id}`, {
      method: 'DELETE',
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': tenant.id },
    })
    const response = await api('/api/v1/audit-log', { token: tenant.token })
    const text = await response.text()
    expect(text).not.toContain(made.token)
    expect(text).not.toContain(tenant.token)
    const { items } = JSON.parse(text)
    expect(items.map((entry: any) => [entry.action, entry.actor, entry.actorTokenId, entry.targetId])).toEqual([
      ['token.revoked', 'operator', null, made.id],
      ['token.created', 'token', first.id, made.id],
      ['tenant.created', 'operator', null, tenant.id],
    ])
    const filtered = await apiJson('/api/v1/audit-log?action=token.created', { token: tenant.token })
    expect(filtered.items.map((entry: any) => entry.targetId)).toEqual([made.id])
    const paged = await apiJson('/api/v1/audit-log?limit=2', { token: tenant.token })
    expect(paged.items).toHaveLength(2)
    const rest = await apiJson(`/api/v1/audit-log?limit=2&cursor=${encodeURIComponent(paged.nextCursor)}`, {
      token: tenant.token,
    })
    expect(rest.items.map((entry: any) => entry.action)).toEqual(['tenant.created'])
    // Reading it needs the admin scope.
    const reader = await apiJson('/api/v1/tokens', { token: tenant.token, body: { scopes: ['read'] } })
    expect((await api('/api/v1/audit-log', { token: reader.token })).status).toBe(403)
  })
})
