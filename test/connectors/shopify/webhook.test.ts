import { describe, expect, it } from 'vitest'
import { verifyShopifyWebhook } from '../../../src/connectors/shopify/webhook'
import { bytesToBase64, hmacSha256 } from '../../../src/core/crypto'

const credentials = { shopDomain: 'demo.myshopify.com', accessToken: 'x', webhookSecret: 'hush' }
const body = new TextEncoder().encode('{"id":1}')

function headers(overrides: Record<string, string> = {}) {
  return new Headers({
    'X-Shopify-Hmac-Sha256': 'VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=',
    'X-Shopify-Shop-Domain': 'demo.myshopify.com',
    'X-Shopify-Webhook-Id': 'delivery-1',
    'X-Shopify-Topic': 'orders/create',
    ...overrides,
  })
}

describe('Shopify webhook verification', () => {
  it('accepts the documented test vector and dedupes on X-Shopify-Webhook-Id', async () => {
    expect(
      await verifyShopifyWebhook(
        { method: 'POST', url: 'https://kontor.test/webhooks', headers: headers(), body },
        credentials
      )
    ).toEqual({
      kind: 'accepted',
      deliveryKey: 'delivery-1',
      topic: 'orders/create',
    })
  })

  it('refuses a wrong or missing signature, and a different shop', async () => {
    expect(
      (
        await verifyShopifyWebhook(
          {
            method: 'POST',
            url: 'https://kontor.test/webhooks',
            headers: headers({ 'X-Shopify-Hmac-Sha256': 'AAAA' }),
            body,
          },
          credentials
        )
      ).kind
    ).toBe('unauthorized')
    const missing = headers()
    missing.delete('X-Shopify-Hmac-Sha256')
    expect(
      (
        await verifyShopifyWebhook(
          { method: 'POST', url: 'https://kontor.test/webhooks', headers: missing, body },
          credentials
        )
      ).kind
    ).toBe('unauthorized')
    expect(
      (
        await verifyShopifyWebhook(
          {
            method: 'POST',
            url: 'https://kontor.test/webhooks',
            headers: headers({ 'X-Shopify-Shop-Domain': 'evil.myshopify.com' }),
            body,
          },
          credentials
        )
      ).kind
    ).toBe('unauthorized')
  })

  it('accepts the previous secret during a rotation', async () => {
    const signature = bytesToBase64(await hmacSha256('old-secret', body))
    const rotated = { ...credentials, webhookSecret: 'new-secret', previousWebhookSecret: 'old-secret' }
    expect(
      (
        await verifyShopifyWebhook(
          {
            method: 'POST',
            url: 'https://kontor.test/webhooks',
            headers: headers({ 'X-Shopify-Hmac-Sha256': signature }),
            body,
          },
          rotated
        )
      ).kind
    ).toBe('accepted')
  })

  it('ignores topics Kontor does not import, accepts lower-case HTTP/2 headers', async () => {
    expect(
      (
        await verifyShopifyWebhook(
          {
            method: 'POST',
            url: 'https://kontor.test/webhooks',
            headers: headers({ 'x-shopify-topic': 'inventory_levels/update' }),
            body,
          },
          credentials
        )
      ).kind
    ).toBe('ignored')
  })

  it('WM4: accepts the product topics (REST and GraphQL names), whose variants are articles', async () => {
    for (const [topic, normalised] of [
      ['products/create', 'products/create'],
      ['PRODUCTS_UPDATE', 'products/update'],
    ])
      expect(
        await verifyShopifyWebhook(
          { method: 'POST', url: 'https://kontor.test/webhooks', headers: headers({ 'X-Shopify-Topic': topic }), body },
          credentials
        )
      ).toEqual({ kind: 'accepted', deliveryKey: 'delivery-1', topic: normalised })
  })
})
