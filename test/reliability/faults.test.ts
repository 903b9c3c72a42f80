/**
 * Platforms that fail: a Shopify shop answering 500 for a while, a 429 storm with Retry-After,
 * proxy HTML error pages and 200s with JSON cut off mid-body; a WooCommerce site answering
 * WordPress's HTML error page. Meanwhile the same orders also arrive as (repeated) webhooks.
 * Every order still arrives exactly once: one order, its lines, one `created` log row.
 */
import { describe, expect, it } from 'vitest'
import { createConnection, createTenant, simulatorCall, uniqueName, waitForJob, api } from '../helpers'
import { deliverWebhook, simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'
import { toShopifyJson } from '../simulators/shopify'
import { wooJson, wooOrderPayload, wooWebhookHeaders } from '../simulators/woocommerce'
import {
  captureLogs,
  deadLetterCount,
  expectExactlyOnce,
  expectNothingSecretLogged,
  report,
  rows,
  secret,
} from './support'

captureLogs()

type Recorded = { at: string; method: string; path: string; status: number }

/** A shop holding `count` open orders (3 lines each), with the faults set before Kontor connects. */
async function faultyShop(count: number, faults: Record<string, unknown>[]) {
  const shop = await simulatedShop()
  secret(shop.accessToken)
  secret(WEBHOOK_SECRET)
  const base = 7_100_000_000_000 + Math.floor(Math.random() * 1e9) * 1000
  const ids = Array.from({ length: count }, (_, index) => String(base + index))
  await simulatorCall(shop.shopDomain, '/_sim/orders', { orders: ids.map((id) => ({ id: Number(id) })) })
  for (const fault of faults) await simulatorCall(shop.shopDomain, '/_sim/faults', fault)
  const tenant = await createTenant('USD')
  secret(tenant.token)
  const connection = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
  })
  return { shop, tenant, connection, ids }
}

/** The lines each order should have in the hub: one per line item with a quantity (G3, P6). */
async function expectedLines(shopDomain: string): Promise<Record<string, number>> {
  const { orders } = await simulatorCall(shopDomain, '/_sim/orders')
  return Object.fromEntries(
    orders.map((order: { id: unknown; line_items: { quantity: number }[] }) => [
      String(order.id),
      order.line_items.filter((line) => line.quantity > 0).length,
    ])
  )
}

/** Every order delivered as a webhook too, each `times` times (a platform retrying), concurrently. */
async function deliverAll(shopDomain: string, connectionId: string, ids: string[], times: number) {
  const { orders } = await simulatorCall(shopDomain, '/_sim/orders')
  const byId = new Map<string, unknown>(orders.map((order: { id: unknown }) => [String(order.id), order]))
  const statuses = await Promise.all(
    ids.flatMap((id) =>
      Array.from({ length: times }, (_, attempt) =>
        deliverWebhook(connectionId, shopDomain, toShopifyJson(byId.get(id)), {
          webhookId: `${id}-${attempt}`,
        }).then((response) => response.status)
      )
    )
  )
  expect(statuses.every((status) => status === 202 || status === 200)).toBe(true)
  return statuses.length
}

async function requestsOf(shopDomain: string): Promise<Recorded[]> {
  return (await simulatorCall(shopDomain, '/_sim/requests')).requests
}

async function settledImports(tenantId: string, connectionId: string) {
  // Webhook imports run in the queue: wait until every delivery is processed.
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const [{ n }] = await rows<{ n: number }>(
      'select count(*) as n from inbox where connection_id = ? and processed_at is null',
      connectionId
    )
    if (n === 0) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`webhooks of ${connectionId} (tenant ${tenantId}) still unprocessed`)
}

describe('Shopify failing for a while', () => {
  it('500s for a while, while every order also arrives as a webhook twice: each order once, with its lines', async ({
    task,
  }) => {
    const { shop, tenant, connection, ids } = await faultyShop(30, [{ status: 500, count: 4 }])
    const deliveries = await deliverAll(shop.shopDomain, connection.id, ids, 2)
    expect((await waitForJob(connection.backfillJobId!, 45_000)).status).toBe('done')
    await settledImports(tenant.id, connection.id)
    await expectExactlyOnce(connection.id, ids, await expectedLines(shop.shopDomain))
    const answered = (await requestsOf(shop.shopDomain)).map((request) => request.status)
    expect(answered.filter((status) => status === 500)).toHaveLength(4)
    expect(await deadLetterCount(tenant.id)).toBe(0)
    report(task, {
      area: 'faults',
      what: 'Shopify answers 500 to the backfill 4 times in a row; 30 orders also delivered as webhooks twice each',
      count: 4,
      unit: `500s (+${deliveries} webhook deliveries)`,
      held: '30/30 orders once with their lines, 30 `created` rows, no dead letter',
    })
  })

  it('a 429 storm with Retry-After: the pauses are honoured and each order arrives once', async ({ task }) => {
    const { shop, tenant, connection, ids } = await faultyShop(30, [{ status: 429, count: 12, retryAfter: '0.3' }])
    expect((await waitForJob(connection.backfillJobId!, 60_000)).status).toBe('done')
    await expectExactlyOnce(connection.id, ids, await expectedLines(shop.shopDomain))
    const all = await requestsOf(shop.shopDomain)
    const throttled = all.filter((request) => request.status === 429)
    expect(throttled).toHaveLength(12)
    // After every 429 the caller's next call of that path waited at least Retry-After (0.3 s),
    // inline or through the queue.
    let pauses = 0
    for (const path of new Set(all.map((request) => request.path))) {
      const requests = all.filter((request) => request.path === path)
      for (let index = 1; index < requests.length; index++) {
        if (requests[index - 1].status !== 429) continue
        expect(Date.parse(requests[index].at) - Date.parse(requests[index - 1].at)).toBeGreaterThanOrEqual(290)
        pauses++
      }
    }
    expect(pauses).toBeGreaterThanOrEqual(9)
    expect(await deadLetterCount(tenant.id)).toBe(0)
    report(task, {
      area: 'faults',
      what: 'Shopify 429 storm with `Retry-After: 0.3` on the backfill',
      count: throttled.length,
      unit: '429s',
      held: 'every pause ≥ Retry-After; 30/30 orders once; no dead letter',
    })
  })

  it('HTML error pages (502 from a proxy) and 200s with truncated JSON: retried, each order once', async ({ task }) => {
    const { shop, tenant, connection, ids } = await faultyShop(30, [
      { kind: 'html', status: 502, count: 2, pathIncludes: '/orders.json' },
      { kind: 'truncated', count: 2, pathIncludes: '/orders.json' },
      { kind: 'html', status: 503, count: 1, pathIncludes: '/orders.json' },
    ])
    await deliverAll(shop.shopDomain, connection.id, ids.slice(0, 10), 1)
    expect((await waitForJob(connection.backfillJobId!, 45_000)).status).toBe('done')
    await settledImports(tenant.id, connection.id)
    await expectExactlyOnce(connection.id, ids, await expectedLines(shop.shopDomain))
    const statuses = (await requestsOf(shop.shopDomain)).map((request) => request.status)
    expect(statuses.filter((status) => status === 502 || status === 503)).toHaveLength(3)
    const failed = await rows(
      "select result, reason from import_log where connection_id = ? and result in ('failed', 'rejected')",
      connection.id
    )
    expect(failed).toEqual([])
    expect(await deadLetterCount(tenant.id)).toBe(0)
    report(task, {
      area: 'faults',
      what: 'Shopify answers HTML error pages (502, 503) and 200s with JSON cut off mid-body',
      count: 5,
      unit: 'broken answers',
      held: '30/30 orders once; nothing logged as failed; no dead letter',
    })
  })
})

describe('WooCommerce failing for a while', () => {
  it("WordPress's HTML error page (500) to the backfill while webhooks bring the same orders: each once", async ({
    task,
  }) => {
    const host = `${uniqueName('site')}.woo.example`
    const webhookSecret = secret(`woo-${crypto.randomUUID()}`)
    const consumerSecret = secret(`cs_${crypto.randomUUID().replace(/-/g, '')}`)
    const consumerKey = secret(`ck_${crypto.randomUUID().replace(/-/g, '')}`)
    await simulatorCall(host, '/_sim/site', { consumerKey, consumerSecret, webhookSecret })
    await simulatorCall(host, '/_sim/products', {
      products: [{ id: 93, name: 'Teapot', sku: 'TEA-1', categories: [] }],
    })
    const orders = Array.from({ length: 20 }, (_, index) => wooOrderPayload({ id: 50_000 + index }))
    await simulatorCall(host, '/_sim/orders', { orders })
    await simulatorCall(host, '/_sim/faults', { status: 500, count: 3, html: true })
    const tenant = await createTenant('EUR')
    secret(tenant.token)
    const connection = await createConnection(tenant.token, {
      platform: 'woocommerce',
      credentials: { siteUrl: `https://${host}`, consumerKey, consumerSecret, webhookSecret },
    })
    const statuses = await Promise.all(
      orders.map(async (order) => {
        const body = wooJson(order)
        const headers = await wooWebhookHeaders(webhookSecret, 'order.created', body, `https://${host}/`)
        return (await api(`/webhooks/woocommerce/${connection.id}`, { method: 'POST', headers, rawBody: body })).status
      })
    )
    expect(statuses.every((status) => status === 202)).toBe(true)
    expect((await waitForJob(connection.backfillJobId!, 45_000)).status).toBe('done')
    await settledImports(tenant.id, connection.id)
    await expectExactlyOnce(
      connection.id,
      orders.map((order) => String(order.id)),
      1
    )
    const { requests }: { requests: Recorded[] } = await simulatorCall(host, '/_sim/requests')
    expect(requests.filter((request) => request.status === 500)).toHaveLength(3)
    expect(await deadLetterCount(tenant.id)).toBe(0)
    report(task, {
      area: 'faults',
      what: 'WooCommerce answers its HTML critical-error page (500) to the backfill; 20 orders also as webhooks',
      count: 3,
      unit: 'HTML 500s',
      held: '20/20 orders once; no dead letter',
    })
  })
})

describe('logs of the fault runs', () => {
  it('no secret, e-mail or phone in anything logged while the platforms failed', async ({ task }) => {
    await expectNothingSecretLogged(task, 'fault runs')
  })
})
