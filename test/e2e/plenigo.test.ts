/**
 * plenigo end to end: a Shopify order routed to a plenigo connection is handed over by the
 * DISPATCH consumer (customer created by email, one import), confirmed by the cron's report poll
 * from plenigo's import log, and the order gets a `handed_over` event carrying plenigo's order id.
 * A second order of the same customer uses the customer plenigo already has.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { apiJson, createConnection, createTenant, runCron, waitFor } from '../helpers'
import { PLENIGO_CANCEL_REFUSAL } from '../../src/connectors/plenigo/handover'
import { deliverWebhook, orderJson, simulatedShop, WEBHOOK_SECRET } from './shopify-support'

const PLENIGO_HOST = 'api.plenigo.test'
const OFFER = 'O_MZA1E7173120881551'

async function plenigoSim(token: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`https://${PLENIGO_HOST}${path}${path.includes('?') ? '&' : '?'}account=${token}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`plenigo simulator ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

type HandoverRow = { state: string; reference: string | null; details: string; last_error: string | null }

async function handoverOf(orderId: string) {
  return env.DB.prepare('select state, reference, details, last_error from handovers where order_id = ?')
    .bind(orderId)
    .first<HandoverRow>()
}

async function handoverIn(orderId: string, state: string): Promise<HandoverRow & { parsed: Record<string, any> }> {
  return waitFor(
    async () => {
      const row = await handoverOf(orderId)
      return row?.state === state ? { ...row, parsed: JSON.parse(row.details) } : null
    },
    { what: `hand-over of ${orderId} ${state}`, timeoutMs: 30_000 }
  )
}

async function orderIdFor(token: string, externalId: string): Promise<string> {
  return waitFor(
    async () => {
      const page = await apiJson<{ items: { id: string; externalId: string }[] }>('/api/v1/orders', { token })
      return page.items.find((order) => order.externalId === externalId)?.id
    },
    { what: `order ${externalId} imported` }
  )
}

function shopifyOrder(id: number, email: string, gateway = 'paypal') {
  return orderJson({
    id,
    email,
    contact_email: email,
    currency: 'EUR',
    payment_gateway_names: [gateway],
    customer: { id: 9_000_000 + id, email, first_name: 'Jana', last_name: 'Beispiel', phone: null },
    line_items: [
      { sku: 'ABO-DIGITAL', title: 'Digital-Abo', quantity: 1, price: '9.90' },
      { sku: 'MUG-1', title: 'Kaffeebecher', quantity: 1, price: '12.00' },
    ],
  })
}

async function plenigoSetup(settings: Record<string, unknown> = {}) {
  const apiToken = `plenigo-${crypto.randomUUID()}`
  await plenigoSim(apiToken, '/_sim/account', { token: apiToken, importDelayMs: null })
  const shop = await simulatedShop()
  const tenant = await createTenant('EUR')
  const plenigo = await createConnection(tenant.token, {
    platform: 'plenigo',
    credentials: { apiToken },
    settings: {
      baseUrl: `https://${PLENIGO_HOST}/api/v3.0`,
      offerMap: { 'ABO-DIGITAL': OFFER },
      paymentMethodMap: { paypal: 'PAYPAL', default: 'BILLING' },
      ...settings,
    },
  })
  const shopify = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    routes: [plenigo.id],
  })
  return { apiToken, shop, tenant, plenigo, shopify }
}

async function eventOf(token: string, orderId: string, type: string) {
  return waitFor(
    async () => {
      const read = await apiJson(`/api/v1/orders/${orderId}`, { token })
      return read.events.find((event: any) => event.type === type)
    },
    { what: `the ${type} event of ${orderId}` }
  )
}

describe('plenigo end to end', () => {
  it("PL1-PL5: a routed Shopify order is imported for a new customer, confirmed from the import log with plenigo's order id; a second order reuses the customer", async () => {
    const { apiToken, shop, tenant, plenigo, shopify } = await plenigoSetup()
    const email = `abo-${crypto.randomUUID().slice(0, 8)}@example.com`

    // PL2 + PL1 + PL3: the order is imported, routed, and handed over; plenigo queues the import.
    const first = 7_100_000 + Math.floor(Math.random() * 100_000)
    expect((await deliverWebhook(shopify.id, shop.shopDomain, shopifyOrder(first, email))).status).toBe(202)
    const firstId = await orderIdFor(tenant.token, String(first))
    const sent = await handoverIn(firstId, 'sent')
    const { customers } = await plenigoSim(apiToken, '/_sim/customers')
    expect(customers).toEqual([
      expect.objectContaining({ email, language: 'de', firstName: 'Jana', lastName: 'Beispiel' }),
    ])
    expect(sent.parsed).toMatchObject({
      customerId: customers[0].customerId,
      customerCreated: true,
      paymentMethod: 'PAYPAL',
      externalSystemIds: [`${firstId}:0`],
      linesWithoutOffer: [expect.objectContaining({ sku: 'MUG-1' })],
    })
    expect(sent.reference).toBe(sent.parsed.promiseId)

    // PL5: the poll leaves it open while plenigo still has it queued …
    const now = Date.now()
    await runCron(new Date(now))
    await waitFor(
      async () =>
        (await plenigoSim(apiToken, '/_sim/requests')).requests.some((request: any) =>
          request.path.endsWith('/imports/orders/logs')
        ),
      { what: 'the first report poll' }
    )
    expect((await handoverOf(firstId))?.state).toBe('sent')

    // … and confirms it once the import log has the entry (PL4): a handed_over event with the order id.
    await plenigoSim(apiToken, '/_sim/process-imports', {})
    await runCron(new Date(now + 6 * 60_000))
    const confirmed = await handoverIn(firstId, 'confirmed')
    const { orders } = await plenigoSim(apiToken, '/_sim/state')
    const plenigoOrderId = String(orders[0].orderId)
    expect(confirmed.reference).toBe(plenigoOrderId)
    const order = await waitFor(
      async () => {
        const read = await apiJson(`/api/v1/orders/${firstId}`, { token: tenant.token })
        return read.events.some((event: any) => event.type === 'handed_over') ? read : null
      },
      { what: 'the handed_over event' }
    )
    expect(order.events.find((event: any) => event.type === 'handed_over')).toMatchObject({
      data: { destination: plenigo.id, reference: plenigoOrderId },
      message: expect.stringContaining(`plenigo order ${plenigoOrderId}`),
    })

    // PL2: a second order of the same customer uses the customer plenigo has and creates none.
    const second = first + 1
    expect((await deliverWebhook(shopify.id, shop.shopDomain, shopifyOrder(second, email))).status).toBe(202)
    const secondId = await orderIdFor(tenant.token, String(second))
    const secondSent = await handoverIn(secondId, 'sent')
    expect(secondSent.parsed).toMatchObject({ customerId: customers[0].customerId, customerCreated: false })
    const { requests, violations } = await plenigoSim(apiToken, '/_sim/requests')
    expect(
      requests.filter((request: any) => request.method === 'POST' && request.path.endsWith('/customers'))
    ).toHaveLength(1)
    expect(
      requests.filter((request: any) => request.method === 'POST' && request.path.endsWith('/imports/orders'))
    ).toHaveLength(2)
    expect((await plenigoSim(apiToken, '/_sim/customers')).customers).toHaveLength(1)
    expect(violations).toEqual([])
  })

  it("a Shopify cancellation of an order handed to plenigo is cancel_requested, then cancel_refused with plenigo's refusal (Kontor does not cancel at plenigo); a later edit of the cancelled order leaves it refused", async () => {
    const { shop, tenant, shopify } = await plenigoSetup()
    const email = `abo-${crypto.randomUUID().slice(0, 8)}@example.com`
    const id = 7_300_000 + Math.floor(Math.random() * 100_000)
    expect((await deliverWebhook(shopify.id, shop.shopDomain, shopifyOrder(id, email))).status).toBe(202)
    const orderId = await orderIdFor(tenant.token, String(id))
    await handoverIn(orderId, 'sent')

    const cancelled = JSON.stringify({
      ...JSON.parse(shopifyOrder(id, email)),
      cancelled_at: '2099-01-01T00:00:00Z',
      cancel_reason: 'customer',
      updated_at: '2099-01-01T00:00:00Z',
    })
    expect((await deliverWebhook(shopify.id, shop.shopDomain, cancelled, { topic: 'orders/cancelled' })).status).toBe(
      202
    )
    const refused = await handoverIn(orderId, 'cancel_refused')
    expect(refused.last_error).toBeNull()
    const order = await waitFor(
      async () => {
        const read = await apiJson(`/api/v1/orders/${orderId}`, { token: tenant.token })
        return read.status === 'cancel_refused' ? read : null
      },
      { what: 'the order cancel_refused' }
    )
    const cancellations = order.events
      .filter((event: any) => ['cancel_requested', 'cancelled', 'cancel_refused'].includes(event.type))
      .map((event: any) => [event.type, event.message])
    expect(cancellations).toEqual([
      ['cancel_requested', expect.any(String)],
      ['cancel_refused', expect.stringContaining(PLENIGO_CANCEL_REFUSAL)],
    ])

    // A later edit of the still cancelled Shopify order is imported, but the refused cancellation stays refused.
    const before = JSON.parse(cancelled)
    const edited = JSON.stringify({
      ...before,
      shipping_address: { ...before.shipping_address, city: 'Potsdam' },
      updated_at: '2099-01-02T00:00:00Z',
    })
    expect((await deliverWebhook(shopify.id, shop.shopDomain, edited, { topic: 'orders/updated' })).status).toBe(202)
    const reread = await waitFor(
      async () => {
        const read = await apiJson(`/api/v1/orders/${orderId}`, { token: tenant.token })
        return String(read.updatedAt).startsWith('2099-01-02') ? read : null
      },
      { what: 'the edit imported' }
    )
    expect(reread.status).toBe('cancel_refused')
    expect(reread.events.filter((event: any) => event.type === 'cancelled')).toEqual([])
  })

  it('PL3, PL5: an unmapped payment method and a failed import both become handover_failed with the reason', async () => {
    const { apiToken, shop, tenant, shopify } = await plenigoSetup({ paymentMethodMap: { paypal: 'PAYPAL' } })
    const email = `abo-${crypto.randomUUID().slice(0, 8)}@example.com`
    const base = 7_300_000 + Math.floor(Math.random() * 100_000)

    // No mapping and no default for "klarna": refused for good, before any call to plenigo.
    expect((await deliverWebhook(shopify.id, shop.shopDomain, shopifyOrder(base, email, 'klarna'))).status).toBe(202)
    const refusedId = await orderIdFor(tenant.token, String(base))
    const failed = await handoverIn(refusedId, 'failed')
    expect(failed.last_error).toContain('payment method "klarna" has no plenigo payment method')
    expect((await eventOf(tenant.token, refusedId, 'handover_failed')).message).toContain('"klarna"')
    expect((await plenigoSim(apiToken, '/_sim/requests')).requests).toEqual([])

    // plenigo's import log says the import failed: the poll fails the hand-over with plenigo's reason.
    expect((await deliverWebhook(shopify.id, shop.shopDomain, shopifyOrder(base + 1, email))).status).toBe(202)
    const orderId = await orderIdFor(tenant.token, String(base + 1))
    await handoverIn(orderId, 'sent')
    await plenigoSim(apiToken, '/_sim/import-failure', {
      externalSystemId: `${orderId}:0`,
      errorReason: 'Order could not be imported.',
      errorDetail: { message: 'Offer is not externally managed.' },
    })
    await plenigoSim(apiToken, '/_sim/process-imports', {})
    await runCron(new Date(Date.now() + 6 * 60_000))
    const event = await eventOf(tenant.token, orderId, 'handover_failed')
    expect(event.message).toBe(
      `plenigo import failed: ${orderId}:0: Order could not be imported. Offer is not externally managed.`
    )
    expect((await handoverOf(orderId))?.state).toBe('failed')
    expect((await plenigoSim(apiToken, '/_sim/requests')).violations).toEqual([])
  })
})
