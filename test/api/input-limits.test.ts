import { describe, expect, it } from 'vitest'
import { api, createTenant } from '../helpers'

const shopifyCredentials = {
  shopDomain: 'limits-shop.myshopify.com',
  accessToken: 'shpat_x',
  webhookSecret: 'whsec',
}

async function error(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { code: string; message: string } }).error }
}

describe('API bodies are bounded: 400 naming the field, 413 for the body, never a 500', () => {
  it('a platform named __proto__, constructor or toString is a 400', async () => {
    const { token } = await createTenant()
    for (const platform of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const answer = await error(
        await api('/api/v1/connections', { body: { platform, name: 'x', credentials: {} }, token })
      )
      expect(answer, platform).toMatchObject({ status: 400, code: 'invalid_request' })
      expect(answer.message).toMatch(/^platform: one of /)
    }
  })

  it('routes with more ids than D1 can bind is a 400 naming routes', async () => {
    const { token } = await createTenant()
    const routes = Array.from({ length: 600 }, (_, index) => `con_${index}`)
    const answer = await error(
      await api('/api/v1/connections', {
        body: { platform: 'shopify', name: 'x', credentials: shopifyCredentials, routes },
        token,
      })
    )
    expect(answer).toMatchObject({ status: 400, code: 'invalid_request' })
    expect(answer.message).toMatch(/^body\.routes: /)
  })

  it('a credential value over 2 KB is a 400 naming the credential', async () => {
    const { token } = await createTenant()
    const answer = await error(
      await api('/api/v1/connections', {
        body: {
          platform: 'shopify',
          name: 'x',
          credentials: { ...shopifyCredentials, accessToken: 'x'.repeat(5000) },
        },
        token,
      })
    )
    expect(answer).toMatchObject({ status: 400 })
    expect(answer.message).toMatch(/^body\.credentials\.accessToken: /)
  })

  it('a body over 256 KB is a 413 in the error envelope', async () => {
    const { token } = await createTenant()
    const response = await api('/api/v1/connections', {
      body: {
        platform: 'shopify',
        name: 'x',
        credentials: shopifyCredentials,
        settings: { note: 'x'.repeat(300_000) },
      },
      token,
    })
    expect(await error(response)).toMatchObject({ status: 413, code: 'payload_too_large' })
  })

  it('an empty Idempotency-Key header is a 400', async () => {
    const { token } = await createTenant()
    const answer = await error(
      await api('/api/v1/orders/ord_missing/events', {
        body: { type: 'processing' },
        token,
        headers: { 'idempotency-key': '' },
      })
    )
    expect(answer).toMatchObject({ status: 400 })
    expect(answer.message).toMatch(/idempotency-key/)
  })

  it('tracking: a javascript: URL, too many entries or a too long number is a 400 naming the field', async () => {
    const { token } = await createTenant()
    const report = (tracking: unknown) =>
      api('/api/v1/orders/ord_missing/events', { body: { type: 'shipped', tracking }, token }).then(error)
    const script = await report([{ number: '1Z1', carrier: 'UPS', url: 'javascript:alert(document.cookie)' }])
    expect(script).toMatchObject({ status: 400 })
    expect(script.message).toMatch(/^body\.tracking\.0\.url: /)
    const data = await report([{ number: '1Z1', url: 'data:text/html,<script>alert(1)</script>' }])
    expect(data.message).toMatch(/^body\.tracking\.0\.url: /)
    const many = await report(Array.from({ length: 101 }, (_, index) => ({ number: `1Z${index}` })))
    expect(many).toMatchObject({ status: 400 })
    expect(many.message).toMatch(/^body\.tracking: /)
    const long = await report([{ number: '1'.repeat(101) }])
    expect(long).toMatchObject({ status: 400 })
    expect(long.message).toMatch(/^body\.tracking\.0\.number: /)
  })
})
