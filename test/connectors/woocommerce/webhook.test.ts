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
    // The signature verifies; the vector's body is not a whole order, so nothing is stored.
    expect(
      await verifyWooWebhook(
        { method: 'POST', url: 'https://kontor.test/webhooks', headers, body: encoder.encode(body) },
        credentials
      )
    ).toEqual({ kind: 'ignored', reason: 'order.updated: the signed body is not the order the topic names' })
  })

  const order = { id: 5, status: 'processing', date_modified_gmt: '2026-11-22T10:00:00', line_items: [] }
  const verify = async (topic: string, resource: unknown, extra: Record<string, string | null> = {}) => {
    const body = JSON.stringify(resource)
    const headers = new Headers(await wooWebhookHeaders('my-secret', topic, body))
    for (const [name, value] of Object.entries(extra)) {
      if (value === null) headers.delete(name)
      else headers.set(name, value)
    }
    return verifyWooWebhook(
      { method: 'POST', url: 'https://kontor.test/webhooks', headers, body: encoder.encode(body) },
      credentials
    )
  }

  it('dedupes on the resource id and date_modified_gmt of the signed body', async () => {
    expect(await verify('order.updated', order)).toEqual({
      kind: 'accepted',
      topic: 'order.updated',
      deliveryKey: 'order|5|2026-11-22T10:00:00',
    })
  })

  it('a replayed signed body gets the same key whatever the unsigned headers say', async () => {
    const first = await verify('order.updated', order)
    for (const replay of [
      await verify('order.updated', order, { 'x-wc-webhook-source': 'https://elsewhere.example/' }),
      await verify('order.updated', order, { 'x-wc-webhook-source': null, 'x-wc-webhook-delivery-id': null }),
      await verify('order.updated', order, { 'x-wc-webhook-delivery-id': 'fresh-id' }),
      await verify('order.created', order),
      await verify('order.restored', order),
    ]) {
      expect(replay).toMatchObject({ kind: 'accepted', deliveryKey: (first as { deliveryKey: string }).deliveryKey })
    }
  })

  it('a topic header that disagrees with the signed body is ignored', async () => {
    const product = { id: 5, type: 'simple', sku: 'TEA-1', price: '9.90', date_modified_gmt: '2026-11-22T10:00:00' }
    expect(await verify('product.updated', order)).toMatchObject({ kind: 'ignored' })
    expect(await verify('customer.updated', order)).toMatchObject({ kind: 'ignored' })
    expect(await verify('order.updated', product)).toMatchObject({ kind: 'ignored' })
    expect(await verify('order.updated', { id: 5 })).toMatchObject({ kind: 'ignored' })
    expect(await verify('order.deleted', order)).toMatchObject({ kind: 'ignored' })
    expect(await verify('order.updated', { ...order, id: undefined })).toMatchObject({ kind: 'ignored' })
    expect(await verify('product.updated', product)).toMatchObject({
      kind: 'accepted',
      deliveryKey: 'product|5|2026-11-22T10:00:00',
    })
  })

  it('a deletion ({"id": N}) is keyed by its id alone, so a replay under another delivery id is a duplicate', async () => {
    const first = await verify('order.deleted', { id: 5 })
    const again = await verify('order.deleted', { id: 5 }, { 'x-wc-webhook-delivery-id': 'another' })
    expect(first).toEqual({ kind: 'accepted', topic: 'order.deleted', deliveryKey: 'deleted|5' })
    expect(again).toEqual(first)
  })

  it('a customer without date_modified_gmt is keyed by its signed bytes', async () => {
    const customer = { id: 7, email: 'a@example.com', role: 'customer', username: 'a', date_modified_gmt: null }
    const first = await verify('customer.created', customer)
    expect(first).toMatchObject({ kind: 'accepted', deliveryKey: expect.stringMatching(/^customer\|7\|sha256:/) })
    expect(await verify('customer.updated', customer, { 'x-wc-webhook-delivery-id': 'x' })).toEqual({
      ...first,
      topic: 'customer.updated',
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
