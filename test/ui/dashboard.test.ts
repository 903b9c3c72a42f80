/**
 * The dashboard's HTTP side inside workerd (the browser tests are in test/node/dashboard.test.ts):
 * the session cookie's flags over https, the Origin and CSRF checks, escaping, and that mounting
 * it at `/` leaves the API's JSON answers alone.
 */
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTenant, KONTOR } from '../helpers'

/** A request to the Worker as a browser sends it, without following redirects. */
async function api(
  path: string,
  options: { method?: string; rawBody?: BodyInit; headers?: Record<string, string> } = {}
): Promise<Response> {
  return (exports as unknown as { default: Fetcher }).default.fetch(
    new Request(`${KONTOR}${path}`, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.rawBody,
      redirect: 'manual',
    })
  )
}

function cookiesOf(response: Response): Record<string, string> {
  return Object.fromEntries(
    response.headers.getSetCookie().map((line) => {
      const [pair] = line.split(';')
      return [pair.slice(0, pair.indexOf('=')), line]
    })
  )
}

async function signIn(token: string) {
  const response = await api('/sign-in', {
    method: 'POST',
    rawBody: new URLSearchParams({ token }),
    headers: { origin: KONTOR, 'content-type': 'application/x-www-form-urlencoded' },
  })
  const cookies = cookiesOf(response)
  const header = Object.values(cookies)
    .map((line) => line.split(';')[0])
    .join('; ')
  return { response, cookies, header }
}

describe('dashboard over HTTP', () => {
  it('sends the browser to sign in, and leaves the API and unknown routes as JSON', async () => {
    const home = await api('/')
    expect(home.status).toBe(303)
    expect(home.headers.get('location')).toBe('/sign-in')
    const page = await api('/sign-in')
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(await page.text()).not.toMatch(/<script|https?:\/\/(?!kontor)/)
    const unauthorized = await api('/api/v1/orders')
    expect(unauthorized.status).toBe(401)
    expect(((await unauthorized.json()) as any).error.code).toBe('unauthorized')
    expect((await api('/no-such-page')).headers.get('content-type')).toContain('application/json')
  })

  it('keeps the token in an HttpOnly, SameSite=Strict, Secure cookie and refuses a cross-site sign-in', async () => {
    const tenant = await createTenant('EUR')
    const { response, cookies } = await signIn(tenant.token)
    expect(response.status).toBe(303)
    expect(cookies.kontor_session).toMatch(/HttpOnly/)
    expect(cookies.kontor_session).toMatch(/SameSite=Strict/)
    expect(cookies.kontor_session).toMatch(/Secure/)
    expect(cookies.kontor_csrf).toMatch(/HttpOnly/)

    const crossSite = await api('/sign-in', {
      method: 'POST',
      rawBody: new URLSearchParams({ token: tenant.token }),
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(crossSite.status).toBe(403)
    expect(cookiesOf(crossSite).kontor_session).toBeUndefined()

    const wrong = await signIn('kt_wrong')
    expect(wrong.response.status).toBe(401)
    expect(wrong.cookies.kontor_session).toBeUndefined()
  })

  it("escapes what platforms send, and answers another tenant's order with 404", async () => {
    const tenant = await createTenant('EUR')
    const other = await createTenant('EUR')
    const id = `ord_${crypto.randomUUID()}`
    const now = new Date().toISOString()
    await env.DB.prepare(
      `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at,
         currency, status, total, tracking, content_hash, imported_at, changed_at)
       values (?, ?, 'con_x', 'shopify', ?, ?, ?, ?, 'EUR', 'new', '1.00', ?, 'h', ?, ?)`
    )
      .bind(
        id,
        tenant.id,
        id,
        '<script>alert(1)</script>',
        now,
        now,
        JSON.stringify([{ number: 'T1', url: 'javascript:alert(1)' }]),
        now,
        now
      )
      .run()
    const { header } = await signIn(tenant.token)
    const list = await (await api('/orders', { headers: { cookie: header } })).text()
    expect(list).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(list).not.toContain('<script>')
    const detail = await (await api(`/orders/${id}`, { headers: { cookie: header } })).text()
    expect(detail).not.toContain('javascript:')

    const otherSession = await signIn(other.token)
    const hidden = await api(`/orders/${id}`, { headers: { cookie: otherSession.header } })
    expect(hidden.status).toBe(404)
    expect(await hidden.text()).not.toContain('alert(1)')
  })

  it('checks the session CSRF token on every POST, even from the same origin', async () => {
    const { header } = await signIn(ADMIN_TOKEN)
    const post = (body: Record<string, string>) =>
      api('/dead-letters/replay', {
        method: 'POST',
        rawBody: new URLSearchParams(body),
        headers: { cookie: header, origin: KONTOR, 'content-type': 'application/x-www-form-urlencoded' },
      })
    expect((await post({ since: '2026-01-01T00:00' })).status).toBe(403)
    expect((await post({ since: '2026-01-01T00:00', _csrf: 'guess' })).status).toBe(403)
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await (await api('/', { headers: { cookie: header } })).text())
    const ok = await post({ since: '2999-01-01T00:00', _csrf: csrf![1] })
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe('/dead-letters?replayed=0')
  })
})
