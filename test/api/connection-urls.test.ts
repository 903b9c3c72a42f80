import { describe, expect, it } from 'vitest'
import { api, createTenant } from '../helpers'

async function create(token: string, platform: string, credentials: unknown, settings: unknown = {}) {
  const response = await api('/api/v1/connections', { body: { platform, name: 'x', credentials, settings }, token })
  return { status: response.status, ...((await response.json()) as any).error }
}

describe('every URL a tenant sets on a connection goes through the outbound URL rules (SSRF)', () => {
  it('WooCommerce siteUrl: localhost with a trailing dot, metadata and special-purpose addresses are refused', async () => {
    const { token } = await createTenant()
    for (const siteUrl of [
      'https://localhost.',
      'https://foo.localhost.',
      'https://metadata',
      'https://100.64.0.1',
      'https://198.18.0.1',
      'https://0x7f000001',
      'https://[::ffff:169.254.169.254]',
    ]) {
      const answer = await create(token, 'woocommerce', {
        siteUrl,
        consumerKey: 'ck',
        consumerSecret: 'cs',
        webhookSecret: 'secret',
      })
      expect(answer, siteUrl).toMatchObject({ status: 400, code: 'invalid_request' })
      expect(answer.message).toMatch(/^credentials\.siteUrl: /)
    }
  })

  it('plentymarkets url and Cartum domain are checked', async () => {
    const { token } = await createTenant()
    const plenty = await create(token, 'plentymarkets', {
      url: 'https://224.0.0.1',
      username: 'u',
      password: 'p',
      plentyId: 1,
      warehouseId: 1,
      storageLocationId: 0,
    })
    expect(plenty).toMatchObject({ status: 400 })
    expect(plenty.message).toMatch(/^credentials\.url: /)
    const cartum = await create(token, 'cartum', { domain: 'shop.localhost', login: 'l', password: 'p' })
    expect(cartum).toMatchObject({ status: 400 })
    expect(cartum.message).toMatch(/^credentials\.domain: /)
  })

  it('settings.baseUrl does not hide an unsafe siteUrl, and is itself checked', async () => {
    const { token } = await createTenant()
    const credentials = { siteUrl: 'https://10.0.0.1', consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' }
    const hidden = await create(token, 'woocommerce', credentials, { baseUrl: 'https://api.woo.example' })
    expect(hidden).toMatchObject({ status: 400 })
    expect(hidden.message).toMatch(/^credentials\.siteUrl: /)
    const baseUrl = await create(
      token,
      'woocommerce',
      { ...credentials, siteUrl: 'https://shop.woo.example' },
      { baseUrl: 'https://metadata./' }
    )
    expect(baseUrl).toMatchObject({ status: 400 })
    expect(baseUrl.message).toMatch(/^settings\.baseUrl: /)
  })
})
