import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../../src/core/http-client'
import { FinalError, RetryableError } from '../../src/core/errors'

type Seen = { url: string; method: string; headers: Record<string, string>; redirect?: string; body?: unknown }

/** A fake network: answers by URL, records what was sent where. */
function network(answers: Record<string, () => Response>) {
  const seen: Seen[] = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input)
    seen.push({
      url,
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      redirect: init?.redirect,
      body: init?.body,
    })
    const answer = answers[url]
    if (!answer) throw new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`) })
    return answer()
  }) as typeof globalThis.fetch
  return { seen, fetch }
}

const redirect =
  (location: string, status = 302) =>
  () =>
    new Response(null, { status, headers: { location } })
const ok =
  (body = '{"ok":true}') =>
  () =>
    new Response(body, { status: 200 })

describe('HTTP client redirects and credentials', () => {
  it('does not let fetch follow redirects, and follows a same-host redirect itself with the credentials', async () => {
    const { seen, fetch } = network({
      'https://app.billbee.io/api/v1/orders': redirect('/api/v1/orders/'),
      'https://app.billbee.io/api/v1/orders/': ok(),
    })
    const http = createHttpClient({
      baseUrl: 'https://app.billbee.io/api/v1',
      headers: () => ({ 'X-Billbee-Api-Key': 'secret-key', authorization: 'Basic abc' }),
      fetch,
    })
    expect((await http.request('/orders')).status).toBe(200)
    expect(seen.map((call) => call.redirect)).toEqual(['manual', 'manual'])
    expect(seen[1].headers['x-billbee-api-key']).toBe('secret-key')
  })

  it('never carries the configured or per-call credentials to another host a redirect names', async () => {
    const { seen, fetch } = network({
      'https://app.billbee.io/api/v1/orders': redirect('https://collector.attacker.example/steal'),
      'https://collector.attacker.example/steal': ok(),
    })
    const http = createHttpClient({
      baseUrl: 'https://app.billbee.io/api/v1',
      headers: () => ({ 'X-Billbee-Api-Key': 'secret-key', Authorization: 'Basic abc' }),
      fetch,
    })
    await http.request('/orders', { headers: { 'X-Extra-Token': 'per-call' } })
    expect(seen[1].url).toBe('https://collector.attacker.example/steal')
    expect(seen[1].headers).not.toHaveProperty('x-billbee-api-key')
    expect(seen[1].headers).not.toHaveProperty('authorization')
    expect(seen[1].headers).not.toHaveProperty('x-extra-token')
    expect(seen[1].headers.accept).toBe('application/json')
  })

  it('a 401 from the host a redirect led to says the credentials stayed behind', async () => {
    const { fetch } = network({
      'https://shop.example.com/wp-json/wc/v3/orders': redirect(
        'https://www.shop.example.com/wp-json/wc/v3/orders',
        301
      ),
      'https://www.shop.example.com/wp-json/wc/v3/orders': () =>
        new Response('{"code":"woocommerce_rest_cannot_view"}', { status: 401 }),
    })
    const http = createHttpClient({
      baseUrl: 'https://shop.example.com',
      headers: () => ({ authorization: 'Basic x' }),
      fetch,
    })
    await expect(http.request('/wp-json/wc/v3/orders')).rejects.toThrow(
      'GET www.shop.example.com/wp-json/wc/v3/orders answered 401 (redirected away from https://shop.example.com; credentials are sent only there)'
    )
  })

  it('refuses a redirect to a private, loopback or metadata address', async () => {
    for (const target of [
      'https://169.254.169.254/latest/meta-data/',
      'https://localhost./',
      'http://shop.example.com/',
      'https://metadata/',
      'https://[::ffff:127.0.0.1]/',
    ]) {
      const { seen, fetch } = network({ 'https://shop.example.com/wp-json/wc/v3/orders': redirect(target, 307) })
      const http = createHttpClient({ baseUrl: 'https://shop.example.com', fetch })
      const error = await http.request('/wp-json/wc/v3/orders').catch((caught) => caught)
      expect(error, target).toBeInstanceOf(FinalError)
      expect(error.message).toMatch(/redirect to .* refused/)
      expect(seen).toHaveLength(1)
    }
  })

  it('refuses an absolute path that points at an unsafe host before calling it', async () => {
    const { seen, fetch } = network({})
    const http = createHttpClient({ baseUrl: 'https://shop.example.com', fetch })
    await expect(http.request('https://10.0.0.5/admin')).rejects.toBeInstanceOf(FinalError)
    expect(seen).toHaveLength(0)
  })

  it('stops after a few hops', async () => {
    const { seen, fetch } = network({
      'https://shop.example.com/a': redirect('/b'),
      'https://shop.example.com/b': redirect('/a'),
    })
    const http = createHttpClient({ baseUrl: 'https://shop.example.com', fetch, maxRedirects: 3 })
    await expect(http.request('/a')).rejects.toThrow(/more than 3 redirects/)
    expect(seen).toHaveLength(4)
  })

  it('a 303 after a POST continues as a GET without the body', async () => {
    const { seen, fetch } = network({
      'https://shop.example.com/orders': redirect('/orders/1', 303),
      'https://shop.example.com/orders/1': ok(),
    })
    const http = createHttpClient({ baseUrl: 'https://shop.example.com', fetch })
    await http.request('/orders', { json: { a: 1 } })
    expect(seen[1]).toMatchObject({ method: 'GET', body: undefined })
  })

  it('ALLOW_INSECURE_URLS lets local hosts be called', async () => {
    const { fetch } = network({ 'http://localhost:8787/x': ok() })
    const http = createHttpClient({ baseUrl: 'http://localhost:8787', fetch, allowInsecureUrls: true })
    expect((await http.request('/x')).status).toBe(200)
  })

  it('a network error names the method, the host, the path and the cause', async () => {
    const { fetch } = network({})
    const http = createHttpClient({ baseUrl: 'https://gone.example.com', fetch })
    const error = await http.request('/rest/orders').catch((caught) => caught)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error.message).toBe('GET gone.example.com/rest/orders: getaddrinfo ENOTFOUND gone.example.com')
  })

  it('a refused connection says so', async () => {
    const refusing = (async () => {
      const cause = Object.assign(new Error('connect ECONNREFUSED 203.0.113.1:443'), { code: 'ECONNREFUSED' })
      throw new TypeError('fetch failed', { cause })
    }) as typeof globalThis.fetch
    const http = createHttpClient({ baseUrl: 'https://shop.example.com', fetch: refusing })
    await expect(http.request('/orders', { method: 'PUT', json: {} })).rejects.toThrow(
      'PUT shop.example.com/orders: connect ECONNREFUSED 203.0.113.1:443'
    )
  })
})
