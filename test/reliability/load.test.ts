/**
 * Load on intake and import at once: 200 Shopify orders, each delivered as a signed webhook
 * twice (the second under another webhook id, as Shopify does when it retries after a timeout),
 * 50 concurrent requests at a time, while the connection's backfill reads the same 200 orders.
 * Each order ends in the hub exactly once, with its lines and one `created` log row.
 */
import { describe, expect, it } from 'vitest'
import { createConnection, createTenant, simulatorCall, waitFor, waitForJob } from '../helpers'
import { deliverWebhook, simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'
import { toShopifyJson } from '../simulators/shopify'
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

const ORDERS = 200
const CONCURRENCY = 50

describe('intake and import under load', () => {
  it(`${ORDERS} orders, each delivered twice concurrently while the backfill reads them: each once`, async ({
    task,
  }) => {
    const shop = await simulatedShop({ bucketSize: 1000, leakPerSecond: 100 })
    secret(shop.accessToken)
    secret(WEBHOOK_SECRET)
    const base = 7_600_000_000_000 + Math.floor(Math.random() * 1e9) * 1000
    const ids = Array.from({ length: ORDERS }, (_, index) => String(base + index))
    await simulatorCall(shop.shopDomain, '/_sim/orders', { orders: ids.map((id) => ({ id: Number(id) })) })
    const { orders } = await simulatorCall(shop.shopDomain, '/_sim/orders')
    const tenant = await createTenant('USD')
    secret(tenant.token)
    const connection = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    })
    const deliveries = orders.flatMap((order: { id: unknown }) =>
      [0, 1].map((attempt) => ({ body: toShopifyJson(order), webhookId: `${String(order.id)}-${attempt}` }))
    )
    const started = Date.now()
    const statuses = new Map<number, number>()
    for (let start = 0; start < deliveries.length; start += CONCURRENCY) {
      const answered = await Promise.all(
        deliveries
          .slice(start, start + CONCURRENCY)
          .map(
            async (delivery: { body: string; webhookId: string }) =>
              (await deliverWebhook(connection.id, shop.shopDomain, delivery.body, { webhookId: delivery.webhookId }))
                .status
          )
      )
      for (const status of answered) statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
    const intakeMs = Date.now() - started
    expect([...statuses.keys()]).toEqual([202])
    expect((await waitForJob(connection.backfillJobId!, 60_000)).status).toBe('done')
    await waitFor(
      async () =>
        (
          await rows<{ n: number }>(
            'select count(*) as n from inbox where connection_id = ? and processed_at is null',
            connection.id
          )
        )[0].n === 0,
      { timeoutMs: 60_000, what: 'every delivery imported' }
    )
    const settledMs = Date.now() - started
    const lines = Object.fromEntries(
      orders.map((order: { id: unknown; line_items: { quantity: number }[] }) => [
        String(order.id),
        order.line_items.filter((line) => line.quantity > 0).length,
      ])
    )
    await expectExactlyOnce(connection.id, ids, lines)
    expect(await deadLetterCount(tenant.id)).toBe(0)
    report(task, {
      area: 'load',
      what: `${ORDERS} Shopify orders, each as 2 signed webhooks (${CONCURRENCY} concurrent) while the backfill reads all ${ORDERS}`,
      count: deliveries.length,
      unit: 'webhook deliveries + 1 backfill',
      held: `all 202 (${Math.round(deliveries.length / (intakeMs / 1000))} req/s); ${ORDERS}/${ORDERS} orders once with their lines after ${(settledMs / 1000).toFixed(1)} s; no dead letter`,
    })
  })

  it('no secret, e-mail or phone in anything logged meanwhile', async ({ task }) => {
    await expectNothingSecretLogged(task, 'load run')
  })
})
