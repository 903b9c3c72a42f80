import { describe, expect, it } from 'vitest'
import { wemaloConnector } from '../../../src/connectors/wemalo'
import { verifyWemaloWebhook, wemaloEventUrl, wemaloWebhookUrl } from '../../../src/connectors/wemalo/webhook'
import { WEBHOOK_SECRET } from './support'

const credentials = { token: 'jwt', webhookSecret: WEBHOOK_SECRET }
const encoder = new TextEncoder()
const BASE = 'https://kontor.test/webhooks/wemalo/con_1'

function request(body: string, options: { url?: string; headers?: Record<string, string> } = {}) {
  return {
    method: 'POST',
    url: options.url ?? wemaloEventUrl(BASE, credentials, 'status_update'),
    headers: new Headers({ 'content-type': 'application/json', ...options.headers }),
    body: encoder.encode(body),
  }
}

describe('Wemalo callback verification (WM2)', () => {
  it('WM2: the registered URL carries the key and the event name', () => {
    expect(wemaloWebhookUrl(BASE, credentials)).toBe(`${BASE}?key=${WEBHOOK_SECRET}`)
    expect(wemaloEventUrl(BASE, credentials, 'trackingnumber_added')).toBe(
      `${BASE}?key=${WEBHOOK_SECRET}&event=trackingnumber_added`
    )
    // An URL that already carries the key is not given a second one.
    expect(wemaloWebhookUrl(wemaloWebhookUrl(BASE, credentials), credentials)).toBe(`${BASE}?key=${WEBHOOK_SECRET}`)
    expect(wemaloConnector.registeredWebhookUrl?.(BASE, credentials)).toBe(`${BASE}?key=${WEBHOOK_SECRET}`)
    expect(wemaloConnector.generatedCredentials?.({ token: 'x' })).toMatchObject({ webhookSecret: expect.any(String) })
    expect(wemaloConnector.generatedCredentials?.(credentials)).toEqual({})
  })

  it('WM2: a status_update with the right key (and token) is accepted', async () => {
    const body = '{"orderId":7001,"externalId":"ord_1","orderNumber":"BB-1","token":"' + WEBHOOK_SECRET + '"}'
    const verdict = await verifyWemaloWebhook(request(body), credentials)
    expect(verdict).toMatchObject({
      kind: 'accepted',
      topic: 'status_update',
      deliveryKey: expect.stringMatching(/^status_update\|ord_1\|/),
    })
  })

  it('WM2: two status_update callbacks with the same bytes are both read (two status changes look alike)', async () => {
    const body = '{"orderId":7001,"externalId":"ord_1","orderNumber":"BB-1"}'
    const first = await verifyWemaloWebhook(request(body), credentials)
    const second = await verifyWemaloWebhook(request(body), credentials)
    expect(first.kind === 'accepted' && second.kind === 'accepted').toBe(true)
    if (first.kind === 'accepted' && second.kind === 'accepted') expect(first.deliveryKey).not.toBe(second.deliveryKey)
    // With a status in the body, the same delivery again is a duplicate.
    const withStatus = '{"orderId":7001,"externalId":"ord_1","statusName":"SHIPPED"}'
    expect(await verifyWemaloWebhook(request(withStatus), credentials)).toEqual(
      await verifyWemaloWebhook(request(withStatus), credentials)
    )
  })

  it('WM2: a missing or wrong key is unauthorized', async () => {
    const body = '{"orderId":7001,"externalId":"ord_1"}'
    expect(await verifyWemaloWebhook(request(body, { url: BASE }), credentials)).toMatchObject({ kind: 'unauthorized' })
    expect(
      await verifyWemaloWebhook(request(body, { url: `${BASE}?key=${WEBHOOK_SECRET}x` }), credentials)
    ).toMatchObject({
      kind: 'unauthorized',
    })
    expect(await verifyWemaloWebhook(request(body, { url: `${BASE}?key=` }), credentials)).toMatchObject({
      kind: 'unauthorized',
    })
  })

  it('WM2: a wrong token is unauthorized wherever it comes: body, token header or Authorization', async () => {
    const plain = '{"orderId":7001,"externalId":"ord_1"}'
    const wrong = 'not-the-registered-token'
    expect(
      await verifyWemaloWebhook(request(`{"orderId":7001,"externalId":"ord_1","token":"${wrong}"}`), credentials)
    ).toMatchObject({
      kind: 'unauthorized',
    })
    expect(await verifyWemaloWebhook(request(plain, { headers: { token: wrong } }), credentials)).toMatchObject({
      kind: 'unauthorized',
    })
    expect(
      await verifyWemaloWebhook(request(plain, { headers: { authorization: `JWT ${wrong}` } }), credentials)
    ).toMatchObject({
      kind: 'unauthorized',
    })
    // The right token in a header, or none at all (the key alone), passes.
    expect(
      await verifyWemaloWebhook(request(plain, { headers: { token: WEBHOOK_SECRET } }), credentials)
    ).toMatchObject({ kind: 'accepted' })
    expect(
      await verifyWemaloWebhook(request(plain, { headers: { authorization: WEBHOOK_SECRET } }), credentials)
    ).toMatchObject({
      kind: 'accepted',
    })
    expect(await verifyWemaloWebhook(request(plain), credentials)).toMatchObject({ kind: 'accepted' })
  })

  it('WM2: trackingnumber_added is keyed by goods order and parcel; a repeat has the same key', async () => {
    const url = wemaloEventUrl(BASE, credentials, 'trackingnumber_added')
    const body = '{"goodsOrderId":7001,"goodsOrderParcelId":7002}'
    const first = await verifyWemaloWebhook(request(body, { url }), credentials)
    expect(first).toEqual({
      kind: 'accepted',
      topic: 'trackingnumber_added',
      deliveryKey: 'trackingnumber_added|7001|7002',
    })
    expect(await verifyWemaloWebhook(request(body, { url }), credentials)).toEqual(first)
  })

  it('ST1, WM2: the event is read from the URL only; a callback to a URL without it is ignored, whatever its body', async () => {
    const stockChange = '{"type":"INCOMING_STOCK","orderId":5,"externalId":"SKU-1"}'
    const at = (event: string) => ({ url: wemaloEventUrl(BASE, credentials, event) })
    expect(await verifyWemaloWebhook(request(stockChange, at('stock_change')), credentials)).toMatchObject({
      kind: 'accepted',
      topic: 'stock_change',
    })
    // The same fields at the status_update hook are a status_update: the body cannot tell them apart.
    expect(await verifyWemaloWebhook(request(stockChange, at('status_update')), credentials)).toMatchObject({
      kind: 'accepted',
      topic: 'status_update',
    })
    const unnamed = { url: wemaloWebhookUrl(BASE, credentials) }
    for (const body of [stockChange, '{"goodsOrderId":7001,"goodsOrderParcelId":7002}', '{"event":"stock_change"}'])
      expect(await verifyWemaloWebhook(request(body, unnamed), credentials)).toEqual({
        kind: 'ignored',
        reason: expect.stringContaining('names no event'),
      })
  })

  it('WM2: a form-encoded callback is read too; other events and bodies are ignored', async () => {
    const form = await verifyWemaloWebhook(
      request('orderId=7001&externalId=ord_9&orderNumber=9', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      credentials
    )
    expect(form).toMatchObject({
      kind: 'accepted',
      topic: 'status_update',
      deliveryKey: expect.stringMatching(/^status_update\|ord_9\|/),
    })
    const refurbishment = wemaloEventUrl(BASE, credentials, 'refurbishment_action')
    expect(
      await verifyWemaloWebhook(request('{"refurbishmentId":1}', { url: refurbishment }), credentials)
    ).toMatchObject({
      kind: 'ignored',
    })
    // ST1: stock_change is accepted (a stock run starts; returns read their bookings).
    const stock = wemaloEventUrl(BASE, credentials, 'stock_change')
    expect(
      await verifyWemaloWebhook(
        request('{"type":"INCOMING_STOCK","orderId":1,"externalId":"x"}', { url: stock }),
        credentials
      )
    ).toMatchObject({
      kind: 'accepted',
      topic: 'stock_change',
      deliveryKey: expect.stringMatching(/^stock_change\|INCOMING_STOCK\|/),
    })
    expect(await verifyWemaloWebhook(request('garbage'), credentials)).toMatchObject({ kind: 'ignored' })
  })
})
