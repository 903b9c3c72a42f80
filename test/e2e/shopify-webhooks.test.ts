import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createTenant, waitFor } from '../helpers'
import { signShopifyWebhook } from '../simulators/shopify'
import {
  deliverWebhook,
  orderJson,
  shopifyOrderPayload,
  shopifySetup,
  simulator,
  WEBHOOK_SECRET,
} from './shopify-support'

async function waitForOrders(token: string, connectionId: string, count = 1) {
  return waitFor(
    async () => {
      const page = await apiJson<{ items: any[] }>(`/api/v1/orders?connectionId=${connectionId}`, { token })
      return page.items.length >= count ? page.items : null
    },
    { what: `${count} order(s)` }
  )
}

const inboxCount = async (connectionId: string) =>
  (await env.DB.prepare('select count(*) as n from inbox where connection_id = ?')
    .bind(connectionId)
    .first<{ n: number }>())!.n

describe('Shopify webhooks end to end', () => {
  it('G1, G3, C1, C2, SH5: a signed orders/create becomes an order with number, date, customer, products, quantity, price, total', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const payload = shopifyOrderPayload({ id: 5550001, name: '#2001', currency: 'USD' })
    const response = await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(payload))
    expect(response.status).toBe(202)

    const [summary] = await waitForOrders(tenant.token, connection.id)
    const order = await apiJson(`/api/v1/orders/${summary.id}`, { token: tenant.token })
    const source = payload as any
    expect(order).toMatchObject({
      externalId: '5550001',
      number: '#2001',
      currency: 'USD',
      status: 'new',
      platform: 'shopify',
    })
    expect(order.createdAt).toBe(new Date(source.created_at).toISOString())
    expect(order.total).toBe(source.total_price)
    expect(order.customer).toMatchObject({
      firstName: source.customer.first_name,
      lastName: source.customer.last_name,
      email: source.customer.email,
    })
    expect(order.customer.address).toMatchObject({ city: expect.any(String) })
    expect(order.lines).toHaveLength(source.line_items.length)
    expect(order.lines[0]).toMatchObject({
      sku: source.line_items[0].sku,
      quantity: source.line_items[0].quantity,
      unitPrice: source.line_items[0].price,
    })
    expect(
      order.events.some((event: any) => event.type === 'comment' && event.message.includes('Delivery details'))
    ).toBe(true)
  })

  it('the same delivery 20 times at once is stored and imported once', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const body = orderJson({ id: 5550002, currency: 'USD' })
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        deliverWebhook(connection.id, shop.shopDomain, body, { webhookId: 'same-delivery' })
      )
    )
    // Intake queues each verified delivery (a 202 means it is durably held); the consumer
    // stores it under its delivery key, where every repeat finds the first.
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(202))
    await waitForOrders(tenant.token, connection.id)
    // Give the remaining copies time to be consumed; each must find the stored row.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await inboxCount(connection.id)).toBe(1)
    expect((await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items).toHaveLength(
      1
    )
  })

  it('different deliveries of one order at once (create and updated) still give one order', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const body = orderJson({ id: 5550003, currency: 'USD' })
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        deliverWebhook(connection.id, shop.shopDomain, body, { topic: index % 2 ? 'orders/updated' : 'orders/create' })
      )
    )
    await waitFor(
      async () =>
        (await inboxCount(connection.id)) === 10 &&
        (await env.DB.prepare('select count(*) as n from inbox where connection_id = ? and processed_at is null')
          .bind(connection.id)
          .first<{ n: number }>())!.n === 0,
      { what: 'all deliveries processed' }
    )
    expect((await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items).toHaveLength(
      1
    )
  })

  it('a bad or missing signature answers 401 and stores nothing', async () => {
    const { shop, connection } = await shopifySetup()
    const body = orderJson({ id: 5550004, currency: 'USD' })
    expect((await deliverWebhook(connection.id, shop.shopDomain, body, { secret: 'wrong-secret' })).status).toBe(401)
    expect((await deliverWebhook(connection.id, shop.shopDomain, body, { signature: null })).status).toBe(401)
    const tampered = await deliverWebhook(connection.id, shop.shopDomain, body.replace('5550004', '5550005'), {
      signature: await signShopifyWebhook(WEBHOOK_SECRET, body),
    })
    expect(tampered.status).toBe(401)
    expect(await inboxCount(connection.id)).toBe(0)
  })

  it('unknown connection or platform answers 404, an oversized body 413', async () => {
    const { shop, connection } = await shopifySetup()
    expect((await api('/webhooks/shopify/con_missing', { method: 'POST', rawBody: '{}' })).status).toBe(404)
    expect((await api(`/webhooks/woocommerce/${connection.id}`, { method: 'POST', rawBody: '{}' })).status).toBe(404)
    const huge = JSON.stringify({ id: 1, note: 'x'.repeat(1024 * 1024 + 10) })
    expect((await deliverWebhook(connection.id, shop.shopDomain, huge)).status).toBe(413)
  })

  it('keeps a 20-digit order id exactly', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const body = orderJson({ id: 5550006, currency: 'USD' }).replace('"id":5550006', '"id":12345678901234567890')
    expect(body).toContain('"id":12345678901234567890')
    expect((await deliverWebhook(connection.id, shop.shopDomain, body)).status).toBe(202)
    const [order] = await waitForOrders(tenant.token, connection.id)
    expect(order.externalId).toBe('12345678901234567890')
  })

  it('G4: an order in another currency is not imported and the import log says why', async () => {
    const { shop, tenant, connection } = await shopifySetup({ currency: 'EUR' })
    await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 5550007, currency: 'USD' }))
    const entry = await waitFor(
      async () =>
        (await apiJson(`/api/v1/import-log?connectionId=${connection.id}&result=rejected`, { token: tenant.token }))
          .items[0],
      { what: 'rejection' }
    )
    expect(entry).toMatchObject({ rule: 'G4', externalId: '5550007' })
  })

  it('G2: another tenant sees none of it, and each call needs its scope', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 5550008, currency: 'USD' }))
    const [order] = await waitForOrders(tenant.token, connection.id)
    const other = await createTenant('USD')
    expect((await api(`/api/v1/orders/${order.id}`, { token: other.token })).status).toBe(404)
    expect((await api(`/api/v1/connections/${connection.id}`, { token: other.token })).status).toBe(404)
    expect((await apiJson(`/api/v1/orders`, { token: other.token })).items).toHaveLength(0)
    expect(
      (await api(`/api/v1/orders/${order.id}/events`, { token: other.token, body: { type: 'processing' } })).status
    ).toBe(404)

    const readOnly = await apiJson('/api/v1/tokens', { token: tenant.token, body: { scopes: ['read'] } })
    expect((await api(`/api/v1/orders/${order.id}`, { token: readOnly.token })).status).toBe(200)
    expect(
      (await api(`/api/v1/orders/${order.id}/events`, { token: readOnly.token, body: { type: 'processing' } })).status
    ).toBe(403)
    const ordersOnly = await apiJson('/api/v1/tokens', { token: tenant.token, body: { scopes: ['read', 'orders'] } })
    expect(
      (await api(`/api/v1/orders/${order.id}/events`, { token: ordersOnly.token, body: { type: 'written_off' } }))
        .status
    ).toBe(403)
    expect(
      (
        await api('/api/v1/connections', {
          token: ordersOnly.token,
          body: { platform: 'shopify', name: 'x', credentials: {} },
        })
      ).status
    ).toBe(403)
    expect((await api('/api/v1/orders', {})).status).toBe(401)
  })

  it('G5: once written off, a later orders/updated changes nothing', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const payload = shopifyOrderPayload({
      id: 5550009,
      currency: 'USD',
      updated_at: '2026-11-01T10:00:00+01:00',
    }) as any
    await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(payload))
    const [order] = await waitForOrders(tenant.token, connection.id)
    expect(
      (await api(`/api/v1/orders/${order.id}/events`, { token: tenant.token, body: { type: 'written_off' } })).status
    ).toBe(202)

    const changed = {
      ...payload,
      updated_at: '2026-11-02T10:00:00+01:00',
      line_items: payload.line_items.map((line: any) => ({ ...line, quantity: 99 })),
    }
    await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(changed), { topic: 'orders/updated' })
    const entry = await waitFor(
      async () =>
        (await apiJson(`/api/v1/import-log?connectionId=${connection.id}&result=unchanged`, { token: tenant.token }))
          .items[0],
      { what: 'G5 log line' }
    )
    expect(entry.rule).toBe('G5')
    const after = await apiJson(`/api/v1/orders/${order.id}`, { token: tenant.token })
    expect(after.writtenOff).toBe(true)
    expect(after.lines.every((line: any) => line.quantity !== 99)).toBe(true)
  })

  it('an order event is recorded once per Idempotency-Key', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 5550010, currency: 'USD' }))
    const [order] = await waitForOrders(tenant.token, connection.id)
    const send = () =>
      api(`/api/v1/orders/${order.id}/events`, {
        token: tenant.token,
        headers: { 'idempotency-key': 'evt-1' },
        body: { type: 'processing' },
      })
    const results = await Promise.all([send(), send(), send()])
    expect(results.map((response) => response.status)).toEqual([202, 202, 202])
    const after = await apiJson(`/api/v1/orders/${order.id}`, { token: tenant.token })
    expect(after.status).toBe('processing')
    expect(after.events.filter((event: any) => event.type === 'processing')).toHaveLength(1)
    const invalid = await api(`/api/v1/orders/${order.id}/events`, { token: tenant.token, body: { type: 'shipped' } })
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as any).error.message).toContain('tracking')
  })

  it('SH2: shipped creates a Shopify fulfilment with tracking only when fulfilmentSync is on', async () => {
    for (const fulfilmentSync of [true, false]) {
      const { shop, tenant, connection } = await shopifySetup({ settings: { fulfilmentSync } })
      await simulator(shop.shopDomain, '/_sim/orders', {
        orders: [shopifyOrderPayload({ id: 5550011, currency: 'USD' })],
      })
      await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 5550011, currency: 'USD' }))
      const [order] = await waitForOrders(tenant.token, connection.id)
      await apiJson(`/api/v1/orders/${order.id}/events`, {
        token: tenant.token,
        body: { type: 'shipped', tracking: [{ number: '1Z999', carrier: 'UPS' }] },
      })
      const call = await waitFor(
        // The write-back's claim row is written as `started` before the call: wait for its end.
        async () =>
          await env.DB.prepare("select * from outbound_calls where order_id = ? and result != 'started'")
            .bind(order.id)
            .first<any>(),
        { what: 'write-back' }
      )
      const { requests } = (await simulator(shop.shopDomain, '/_sim/requests')) as { requests: any[] }
      const fulfilments = requests.filter(
        (request: any) => request.method === 'POST' && request.path.endsWith('/fulfillments.json')
      )
      if (fulfilmentSync) {
        expect(call.result).toBe('done')
        expect(fulfilments).toHaveLength(1)
        expect(fulfilments[0].body.fulfillment.tracking_info).toMatchObject({ number: '1Z999', company: 'UPS' })
      } else {
        expect(call.result).toBe('not_applicable')
        expect(fulfilments).toHaveLength(0)
      }
    }
  })
})
