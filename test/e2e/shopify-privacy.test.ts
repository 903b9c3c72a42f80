/**
 * Shopify's mandatory compliance webhooks (issue 10): customers/data_request, customers/redact and
 * shop/redact arrive at the connection's webhook URL, signed like the others, and are carried out
 * by the INGEST consumer (src/import/privacy.ts).
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { apiJson, api, waitFor } from '../helpers'
import { deliverWebhook, shopifySetup, shopifyOrderPayload } from './shopify-support'

let nextId = 880_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000

function person(tag: string) {
  const email = `${tag}-${crypto.randomUUID().slice(0, 6)}@privacy.example`
  const phone = `+4930${Math.floor(Math.random() * 9e7 + 1e7)}`
  return { email, phone, customerId: nextId++, firstName: `First-${tag}`, lastName: `Last-${tag}` }
}

function orderFor(who: ReturnType<typeof person>) {
  const address = {
    first_name: who.firstName,
    last_name: who.lastName,
    address1: `${who.lastName} Street 1`,
    city: 'Berlin',
    zip: '10115',
    country: 'Germany',
    country_code: 'DE',
    phone: who.phone,
    name: `${who.firstName} ${who.lastName}`,
  }
  return shopifyOrderPayload({
    id: nextId++,
    email: who.email,
    contact_email: who.email,
    phone: who.phone,
    billing_address: address,
    shipping_address: address,
    customer: {
      id: who.customerId,
      email: who.email,
      phone: who.phone,
      first_name: who.firstName,
      last_name: who.lastName,
    },
  })
}

async function setup() {
  const { shop, tenant, connection } = await shopifySetup({ currency: 'USD' })
  const alice = person('alice')
  const bob = person('bob')
  const orders = [orderFor(alice), orderFor(alice), orderFor(bob)]
  for (const order of orders) {
    const response = await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(order))
    expect(response.status).toBe(202)
  }
  await waitFor(
    async () => {
      const page = await apiJson<{ items: unknown[] }>(`/api/v1/orders?connectionId=${connection.id}`, {
        token: tenant.token,
      })
      return page.items.length === 3
    },
    { what: 'three imported orders' }
  )
  return { shop, tenant, connection, alice, bob, orders }
}

async function orderRow(connectionId: string, externalId: unknown) {
  return env.DB.prepare(
    'select billing_address, shipping_address, customer_id from orders where connection_id = ? and external_id = ?'
  )
    .bind(connectionId, String(externalId))
    .first<{ billing_address: string | null; shipping_address: string | null; customer_id: string | null }>()
}

async function customersWith(tenantId: string, email: string) {
  const { results } = await env.DB.prepare('select id from customers where tenant_id = ? and email_key = ?')
    .bind(tenantId, email.toLowerCase())
    .all()
  return results.length
}

async function inboxBodiesMentioning(connectionId: string, needle: string) {
  const { results } = await env.DB.prepare(`select topic from inbox where connection_id = ? and instr(body, ?) > 0`)
    .bind(connectionId, needle)
    .all<{ topic: string }>()
  return results.map((row) => row.topic)
}

describe('Shopify compliance webhooks', () => {
  it('are verified like every webhook: a wrong signature is 401, a signed one is accepted for the queue', async () => {
    const { shop, connection } = await shopifySetup()
    const body = JSON.stringify({ shop_id: 1, shop_domain: shop.shopDomain })
    const refused = await deliverWebhook(connection.id, shop.shopDomain, body, {
      topic: 'shop/redact',
      secret: 'not-the-secret',
    })
    expect(refused.status).toBe(401)
    const accepted = await deliverWebhook(connection.id, shop.shopDomain, body, { topic: 'shop/redact' })
    expect(accepted.status).toBe(202)
  })

  it('customers/data_request collects what Kontor holds about the customer for GET /data-requests', async () => {
    const { shop, tenant, connection, alice, orders } = await setup()
    const payload = {
      shop_id: 954889,
      shop_domain: shop.shopDomain,
      orders_requested: [orders[0].id],
      customer: { id: alice.customerId, email: alice.email, phone: alice.phone },
      data_request: { id: 9999 },
    }
    const response = await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(payload), {
      topic: 'customers/data_request',
    })
    expect(response.status).toBe(202)

    const list = await waitFor(
      async () => {
        const page = await apiJson<{ items: any[] }>('/api/v1/data-requests', { token: tenant.token })
        return page.items.length ? page.items : null
      },
      { what: 'a data request' }
    )
    expect(list[0]).toMatchObject({
      connectionId: connection.id,
      externalId: '9999',
      customer: { email: alice.email, phone: alice.phone, externalId: String(alice.customerId) },
    })
    const request = await apiJson(`/api/v1/data-requests/${list[0].id}`, { token: tenant.token })
    expect(request.data.customers).toHaveLength(1)
    expect(request.data.customers[0].email).toBe(alice.email)
    // Both of her orders (one named, one found through her customer row), not Bob's.
    expect(request.data.orders.map((order: any) => order.externalId).sort()).toEqual(
      [String(orders[0].id), String(orders[1].id)].sort()
    )
    expect(request.data.orders[0].lines.length).toBeGreaterThan(0)

    // Another tenant sees nothing of it.
    const { tenant: other } = await shopifySetup()
    expect((await api(`/api/v1/data-requests/${list[0].id}`, { token: other.token })).status).toBe(404)
  })

  it('customers/redact removes her addresses, customer row and webhook bodies; Bob keeps his', async () => {
    const { shop, tenant, connection, alice, bob, orders } = await setup()
    const payload = {
      shop_id: 954889,
      shop_domain: shop.shopDomain,
      customer: { id: alice.customerId, email: alice.email, phone: alice.phone },
      orders_to_redact: [orders[0].id, orders[1].id],
    }
    const response = await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(payload), {
      topic: 'customers/redact',
    })
    expect(response.status).toBe(202)
    await waitFor(async () => (await customersWith(tenant.id, alice.email)) === 0, { what: 'the redaction' })

    for (const order of orders.slice(0, 2)) {
      expect(await orderRow(connection.id, order.id)).toEqual({
        billing_address: null,
        shipping_address: null,
        customer_id: null,
      })
    }
    const bobs = await orderRow(connection.id, orders[2].id)
    expect(bobs?.customer_id).not.toBeNull()
    expect(bobs?.shipping_address).toContain(bob.lastName)
    expect(await customersWith(tenant.id, bob.email)).toBe(1)
    // Her order deliveries lost their bodies; the redact request itself is the record and stays.
    expect(await inboxBodiesMentioning(connection.id, alice.email)).toEqual(['customers/redact'])
    expect(await inboxBodiesMentioning(connection.id, bob.email)).toEqual(['orders/create'])

    const detail = await apiJson(
      `/api/v1/orders/${(await apiJson<{ items: any[] }>(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items.find((item: any) => item.externalId === String(orders[0].id)).id}`,
      { token: tenant.token }
    )
    expect(JSON.stringify(detail)).not.toContain(alice.lastName)
    const log = await apiJson<{ items: any[] }>(`/api/v1/import-log?connectionId=${connection.id}`, {
      token: tenant.token,
    })
    expect(log.items.some((entry) => entry.reason?.startsWith('customers/redact:'))).toBe(true)
  })

  it('shop/redact removes the personal data of the whole connection', async () => {
    const { shop, tenant, connection, alice, bob, orders } = await setup()
    const response = await deliverWebhook(
      connection.id,
      shop.shopDomain,
      JSON.stringify({ shop_id: 954889, shop_domain: shop.shopDomain }),
      { topic: 'shop/redact' }
    )
    expect(response.status).toBe(202)
    await waitFor(async () => (await customersWith(tenant.id, bob.email)) === 0, { what: 'the shop redaction' })
    for (const order of orders) {
      expect(await orderRow(connection.id, order.id)).toEqual({
        billing_address: null,
        shipping_address: null,
        customer_id: null,
      })
    }
    expect(await customersWith(tenant.id, alice.email)).toBe(0)
    expect(await inboxBodiesMentioning(connection.id, alice.email)).toEqual([])
    expect(await inboxBodiesMentioning(connection.id, bob.email)).toEqual([])
  })
})
