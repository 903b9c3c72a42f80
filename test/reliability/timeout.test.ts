/**
 * A platform slower than Kontor's HTTP client allows (src/core/http-client.ts: 20 s per request):
 * the Shopify simulator holds its answer to the first orders page for 21 s. The request is
 * aborted, the page message retried, and every order still arrives exactly once.
 */
import { describe, expect, it } from 'vitest'
import { createConnection, createTenant, simulatorCall, waitForJob } from '../helpers'
import { simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'
import {
  captureLogs,
  deadLetterCount,
  expectExactlyOnce,
  expectNothingSecretLogged,
  logLines,
  report,
  secret,
} from './support'

captureLogs()

const CLIENT_TIMEOUT_MS = 20_000

describe('a platform slower than the client timeout', () => {
  it('the first orders page answers after 21 s: aborted, retried, each order once', async ({ task }) => {
    const shop = await simulatedShop()
    secret(shop.accessToken)
    secret(WEBHOOK_SECRET)
    const base = 7_300_000_000_000 + Math.floor(Math.random() * 1e9) * 1000
    const ids = Array.from({ length: 20 }, (_, index) => String(base + index))
    await simulatorCall(shop.shopDomain, '/_sim/orders', { orders: ids.map((id) => ({ id: Number(id) })) })
    await simulatorCall(shop.shopDomain, '/_sim/faults', {
      kind: 'delay',
      delayMs: CLIENT_TIMEOUT_MS + 1_000,
      count: 1,
      pathIncludes: '/orders.json',
    })
    const tenant = await createTenant('USD')
    secret(tenant.token)
    const started = Date.now()
    const connection = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    })
    expect((await waitForJob(connection.backfillJobId!, 50_000)).status).toBe('done')
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(CLIENT_TIMEOUT_MS)
    expect(took).toBeLessThan(CLIENT_TIMEOUT_MS + 15_000)
    const { orders } = await simulatorCall(shop.shopDomain, '/_sim/orders')
    const lines = Object.fromEntries(
      orders.map((order: { id: unknown; line_items: { quantity: number }[] }) => [
        String(order.id),
        order.line_items.filter((line) => line.quantity > 0).length,
      ])
    )
    await expectExactlyOnce(connection.id, ids, lines)
    const { requests }: { requests: { path: string }[] } = await simulatorCall(shop.shopDomain, '/_sim/requests')
    expect(requests.filter((request) => request.path.endsWith('/orders.json')).length).toBeGreaterThanOrEqual(2)
    // The abort is a retryable failure of the page message, logged as such.
    expect(logLines().some((line) => line.includes('queue message failed'))).toBe(true)
    expect(await deadLetterCount(tenant.id)).toBe(0)
    report(task, {
      area: 'faults',
      what: `Shopify holds an orders page for ${(CLIENT_TIMEOUT_MS + 1_000) / 1000} s (client timeout ${CLIENT_TIMEOUT_MS / 1000} s)`,
      count: 1,
      unit: 'timeout',
      held: `aborted and retried; 20/20 orders once; done after ${(took / 1000).toFixed(1)} s; no dead letter`,
    })
  })

  it('no secret, e-mail or phone in anything logged meanwhile', async ({ task }) => {
    await expectNothingSecretLogged(task, 'timeout run')
  })
})
