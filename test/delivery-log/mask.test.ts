/** What the delivery log masks of a request (issue 19): signatures, tokens, cookies and keys, by name. */
import { describe, expect, it } from 'vitest'
import { isMaskedName, MASKED_NAMES, maskedHeaders, maskedUrl, maskValue } from '../../src/delivery-log/mask'

describe('delivery-log masking', () => {
  it('masks every header the platforms sign or authenticate with, whatever its case', () => {
    for (const name of [
      ...MASKED_NAMES,
      'X-Shopify-Hmac-Sha256',
      'X-WC-Webhook-Signature',
      'Authorization',
      'Cookie',
      'x-auth-token',
      'x-api-key',
      'api_key',
      'x-client-secret',
      'x-signature',
      'webhook-signature',
    ])
      expect(isMaskedName(name), name).toBe(true)
  })

  it('leaves what an operator needs to read', () => {
    for (const name of [
      'content-type',
      'content-length',
      'user-agent',
      'x-shopify-topic',
      'x-shopify-webhook-id',
      'x-shopify-shop-domain',
      'x-wc-webhook-topic',
      'x-wc-webhook-delivery-id',
      'webhook-id',
      'event',
    ])
      expect(isMaskedName(name), name).toBe(false)
  })

  it('keeps the first 4 characters of a long secret and none of a short one', () => {
    expect(maskValue('k2Vb5zN8Qe1rT0xYw9aSdF==')).toBe('k2Vb•••• (masked, 24 chars)')
    expect(maskValue('short-one')).toBe('•••• (masked, 9 chars)')
  })

  it('masks headers and secret query parameters of a request, nothing else', () => {
    const headers = new Headers({
      'content-type': 'application/json',
      'x-shopify-hmac-sha256': 'k2Vb5zN8Qe1rT0xYw9aSdF==',
      authorization: 'Bearer kt_abcdefghijklmnop',
      token: 'wemalo-secret-token',
    })
    const pairs = new Map(maskedHeaders(headers))
    expect(pairs.get('content-type')).toBe('application/json')
    expect(pairs.get('x-shopify-hmac-sha256')).toBe('k2Vb•••• (masked, 24 chars)')
    expect(pairs.get('authorization')).toBe('Bear•••• (masked, 26 chars)')
    expect(pairs.get('token')).toBe('wema•••• (masked, 19 chars)')
    expect(JSON.stringify([...pairs])).not.toMatch(/kt_abcdefghijklmnop|wemalo-secret-token|5zN8Qe1r/)

    expect(maskedUrl('https://kontor.test/webhooks/wemalo/con_1?key=a-long-webhook-secret&event=ship')).toBe(
      '/webhooks/wemalo/con_1?key=a-lo•••• (masked, 21 chars)&event=ship'
    )
    expect(maskedUrl('https://kontor.test/webhooks/shopify/con_1')).toBe('/webhooks/shopify/con_1')
  })

  it('bounds what an unauthenticated request can make it store', () => {
    const headers = new Headers()
    for (let i = 0; i < 200; i++) headers.set(`x-filler-${i}`, 'y'.repeat(5000))
    const pairs = maskedHeaders(headers)
    expect(JSON.stringify(pairs).length).toBeLessThanOrEqual(8 * 1024 + 1024)
    expect(pairs[pairs.length - 1]).toEqual(['(not kept)', `${200 - pairs.length + 1} more headers`])
  })
})
