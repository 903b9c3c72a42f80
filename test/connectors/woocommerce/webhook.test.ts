import { describe, expect, it } from 'vitest'
import { verifyWooWebhook } from '../../../src/connectors/woocommerce/webhook'
import { wooWebhookHeaders } from '../../simulators/woocommerce'

const credentials = {
  siteUrl: 'https://shop.woo.example',
  consumerKey: 'ck',
  consumerSecret: 'cs',
  webhookSecret: 'my-secret',
}
const encoder = new TextEncoder()

describe('WooCommerce webhook verification', () => {
  it('matches the documented test vector', async () => {
    const body = '{"id":727,"status":"processing","url":"https:\\/\\/example.com\\/"}'
    const headers = new Headers({
      'x-wc-webhook-signature': 'xRlfI2PnnuNh06esM7I8UnsyyzwHOPZfIJ1p2O9/WXQ=',
      'x-wc-webhook-topic': 'order.updated',
    })
    expect(
      (
        await verifyWooWebhook(
          { method: 'POST', url: 'https://kontor.test/webhooks', headers, body: encoder.encode(body) },
          credentials
        )
      ).kind
    ).toBe('accepted')
  })

  it('dedupes on source, topic, id and date_modified_gmt', async () => {
    const body = JSON.stringify({ id: 5, date_modified_gmt: '2026-11-22T10:00:00' })
    const headers = new Headers(await wooWebhookHeaders('my-secret', 'order.updated', body))
    const verdict = await verifyWooWebhook(
      { method: 'POST', url: 'https://kontor.test/webhooks', headers, body: encoder.encode(body) },
      credentials
    )
    expect(verdict).toEqual({
      kind: 'accepted',
      topic: 'order.updated',
      deliveryKey: 'https://shop.woo.example/|order.updated|5|2026-11-22T10:00:00',
    })
  })

  it('the unsigned form-encoded ping is a ping; anything else unsigned is refused', async () => {
    const ping = {
      method: 'POST',
      url: 'https://kontor.test/webhooks',
      headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: encoder.encode('webhook_id=2'),
    }
    expect(await verifyWooWebhook(ping, credentials)).toEqual({ kind: 'ping' })
    const unsigned = {
      method: 'POST',
      url: 'https://kontor.test/webhooks',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: encoder.encode('{"id":1}'),
    }
    expect((await verifyWooWebhook(unsigned, credentials)).kind).toBe('unauthorized')
  })

  it('the consumer secret is not the webhook secret', async () => {
    const body = '{"id":1}'
    const headers = new Headers(await wooWebhookHeaders('cs', 'order.created', body))
    expect(
      (
        await verifyWooWebhook(
          { method: 'POST', url: 'https://kontor.test/webhooks', headers, body: encoder.encode(body) },
          credentials
        )
      ).kind
    ).toBe('unauthorized')
  })
})
