/**
 * Retrying one failed write-back or hand-over from the API (issue 19), as the dashboard's order
 * page does: only what failed is retried, and two retries of the same attempt — at once, or one
 * after the other — run it once; the platform receives one call.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  apiJson,
  createConnection,
  createTenant,
  simulatorCall,
  uniqueName,
  waitFor,
  waitForJob,
} from '../helpers'
import { shopifyOrderPayload } from '../simulators/shopify'
import { simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'

const first = <T>(query: string, ...values: unknown[]) =>
  env.DB.prepare(query)
    .bind(...values)
    .first<T>()

async function shopifyOrder() {
  const shop = await simulatedShop()
  const now = new Date().toISOString()
  await simulatorCall(shop.shopDomain, '/_sim/orders', {
    orders: [shopifyOrderPayload({ id: 7810001, currency: 'EUR', created_at: now, updated_at: now })],
  })
  const tenant = await createTenant('EUR')
  const connection = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    settings: { fulfilmentSync: true, registerWebhooks: false },
  })
  await waitForJob(connection.backfillJobId!)
  const { items } = await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })
  return { shop, tenant, connection, orderId: items[0].id as string }
}

/** Waits until the queue gave the write-back up (no retry of its own is in flight), then reads its step. */
async function deadLettered(eventId: string) {
  await waitFor(() => first("select id from dead_letters where queue = 'sync' and body like ?", `%${eventId}%`), {
    what: 'dead-lettered write-back',
    timeoutMs: 30_000,
  })
  return (await first<{ result: string; attempts: number }>(
    'select result, attempts from outbound_calls where step_key = ?',
    `write-back:${eventId}`
  ))!
}

const retry = (token: string, path: string, body?: unknown) =>
  api(path, { method: 'POST', token, ...(body ? { body } : {}) })

describe('retrying one failed write-back', () => {
  it('runs a failed write-back once for two retries at once, and refuses one that is not failed', async () => {
    const { shop, tenant, orderId } = await shopifyOrder()
    // Shopify keeps failing: the write-back is retried by the queue, then dead-lettered.
    await simulatorCall(shop.shopDomain, '/_sim/faults', { status: 500, count: 1000 })
    const { id: eventId } = await apiJson(`/api/v1/orders/${orderId}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: 'RETRY-1', carrier: 'DHL' }] },
    })
    const failed = await deadLettered(eventId)
    await simulatorCall(shop.shopDomain, '/_sim/faults', { status: 500, count: 0 })
    const fulfilmentsBefore = ((await simulatorCall(shop.shopDomain, '/_sim/requests')).requests as any[]).filter(
      (request) => request.method === 'POST' && request.path.includes('fulfillments')
    ).length

    const path = `/api/v1/orders/${orderId}/write-backs/${eventId}/retry`
    const answers = await Promise.all([retry(tenant.token, path), retry(tenant.token, path)])
    const statuses = answers.map((answer) => answer.status).sort()
    expect(statuses).toEqual([200, 409])
    const ran = await answers.find((answer) => answer.status === 200)!.json<any>()
    expect(ran).toMatchObject({ eventId, result: 'done', attempts: failed.attempts + 1 })
    const refused = await answers.find((answer) => answer.status === 409)!.json<any>()
    expect(refused.error.code).toMatch(/already_retried|not_failed/)

    // Once more, after it is done: refused with a reason, nothing sent.
    const again = await retry(tenant.token, path, { seenAttempts: failed.attempts })
    expect(again.status).toBe(409)
    expect((await again.json<any>()).error).toMatchObject({
      code: 'not_failed',
      message: expect.stringContaining('done'),
    })

    const fulfilments = ((await simulatorCall(shop.shopDomain, '/_sim/requests')).requests as any[]).filter(
      (request) => request.method === 'POST' && request.path.includes('fulfillments')
    )
    expect(fulfilments.length - fulfilmentsBefore).toBe(1)
    const inShopify = await simulatorCall(shop.shopDomain, '/_sim/orders/7810001')
    expect(JSON.stringify(inShopify)).toContain('RETRY-1')
  })

  it('retries only the attempt the caller saw: a stale page is refused', async () => {
    const { shop, tenant, orderId } = await shopifyOrder()
    await simulatorCall(shop.shopDomain, '/_sim/faults', { status: 500, count: 1000 })
    const { id: eventId } = await apiJson(`/api/v1/orders/${orderId}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: 'STALE-1', carrier: 'DHL' }] },
    })
    const failed = await deadLettered(eventId)
    const path = `/api/v1/orders/${orderId}/write-backs/${eventId}/retry`
    // The first retry fails again (the fault is still there) and counts an attempt.
    const retried = await apiJson(path, { token: tenant.token, body: { seenAttempts: failed.attempts } })
    expect(retried).toMatchObject({ result: 'failed', attempts: failed.attempts + 1 })
    const stale = await retry(tenant.token, path, { seenAttempts: failed.attempts })
    expect(stale.status).toBe(409)
    expect((await stale.json<any>()).error.code).toBe('retried_meanwhile')
  })

  it('answers 404 for an event of another tenant', async () => {
    const { orderId } = await shopifyOrder()
    const other = await createTenant('EUR')
    const answer = await retry(other.token, `/api/v1/orders/${orderId}/write-backs/evt_${uniqueName()}/retry`)
    expect(answer.status).toBe(404)
  })
})

describe('retrying one failed hand-over', () => {
  it('refuses a hand-over that is not failed, and runs a failed one once for two retries at once', async () => {
    const wemaloHost = `${uniqueName('w')}.wemalo.test`
    await simulatorCall(wemaloHost, '/_sim/account', { token: 'wemalo-retry-token' })
    const { tenant, orderId } = await shopifyOrder()
    const destination = await createConnection(tenant.token, {
      platform: 'wemalo',
      credentials: { token: 'wemalo-retry-token' },
      settings: { baseUrl: `https://${wemaloHost}/v1`, webhookEmail: 'ops@example.com' },
    })
    const handoverId = `hov_${uniqueName()}`
    const now = new Date().toISOString()
    // A hand-over that failed for good (the warehouse refused it before); the order is fine now.
    await env.DB.prepare(
      `insert into handovers (id, tenant_id, order_id, destination_id, state, attempts, last_error, details, created_at, updated_at)
       values (?, ?, ?, ?, 'failed', 1, 'refused earlier', '{}', ?, ?)`
    )
      .bind(handoverId, tenant.id, orderId, destination.id, now, now)
      .run()
    const path = `/api/v1/orders/${orderId}/handovers/${handoverId}/retry`
    const answers = await Promise.all([retry(tenant.token, path), retry(tenant.token, path)])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
    const ran = await answers.find((answer) => answer.status === 200)!.json<any>()
    expect(ran).toMatchObject({ id: handoverId, state: expect.stringMatching(/sent|confirmed/), lastError: null })
    const state = await simulatorCall(wemaloHost, '/_sim/state')
    expect(JSON.stringify(state).match(new RegExp(orderId, 'g'))?.length).toBeGreaterThan(0)

    const again = await retry(tenant.token, path)
    expect(again.status).toBe(409)
    expect((await again.json<any>()).error.code).toBe('not_failed')
  })
})
