/**
 * Issue 16: two real consumers in workerd (the Worker's own queue handler, run twice at once)
 * race for one row — a hand-over, a write-back, a hub delivery. Exactly one of them makes the
 * outbound call; the other finds the row held and retries later (its message is not dropped),
 * and its retry then finds the work done.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { shopifyOrderToCanonical } from '../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../src/connectors/shopify/schemas'
import { database } from '../../src/db/client'
import { importRecords } from '../../src/import/import-records'
import worker from '../../src/index'
import { apiJson, createConnection, createTenant, simulatorCall, uniqueName } from '../helpers'
import { importTarget } from '../import/fixtures'
import { orderJson, simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'

const rows = async <T = any>(query: string, ...values: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...values)
      .all<T>()
  ).results

/** One consumer: the Worker's queue handler with a batch of one message. */
async function consumer(queue: string, body: unknown) {
  const batch = createMessageBatch(queue, [{ id: uniqueName('msg'), timestamp: new Date(), attempts: 1, body }])
  const context = createExecutionContext()
  await (worker.queue as ExportedHandlerQueueHandler<Env>)(batch, env as Env, context)
  const result = await getQueueResult(batch, context)
  return { acked: result.explicitAcks.length, retried: result.retryMessages.length }
}

async function race(queue: string, body: unknown) {
  const results = await Promise.all([consumer(queue, body), consumer(queue, body)])
  return {
    acked: results.reduce((sum, result) => sum + result.acked, 0),
    retried: results.reduce((sum, result) => sum + result.retried, 0),
  }
}

async function shopWithOrder(options: { routes?: string[]; settings?: Record<string, unknown> } = {}) {
  const tenant = await createTenant('EUR')
  const hookHost = `${uniqueName('r')}.hooks.test`
  await apiJson('/api/v1/webhook-endpoints', {
    token: tenant.token,
    body: { url: `https://${hookHost}/kontor`, events: ['order.imported'] },
  })
  const shop = await simulatedShop()
  const source = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    settings: options.settings ?? {},
  })
  const id = 790000 + Math.floor(Math.random() * 9999)
  await simulatorCall(shop.shopDomain, '/_sim/orders', { orders: [{ id, currency: 'EUR' }] })
  // Imported without its queue messages: the racing consumers below are the only ones at work.
  const summary = await importRecords(
    database(env.DB),
    importTarget({ tenantId: tenant.id, connectionId: source.id, routes: options.routes ?? [], settings: {} }),
    [
      {
        kind: 'order',
        order: shopifyOrderToCanonical(shopifyOrderSchema.parse(JSON.parse(orderJson({ id, currency: 'EUR' })))),
      },
    ]
  )
  return { tenant, shop, hookHost, summary, orderId: summary.orders[0].orderId }
}

describe('two consumers race for one row', () => {
  it('hub delivery: one POST to the endpoint; the other consumer retries and then finds it delivered', async () => {
    const { hookHost, summary } = await shopWithOrder()
    const [deliveryId] = summary.followUps.deliveryIds
    await simulatorCall(hookHost, '/_sim/answers', { answers: [{ status: 204, delayMs: 400 }] })
    const first = await race('kontor-dispatch', { type: 'hub-delivery', deliveryId })
    expect(first).toEqual({ acked: 1, retried: 1 })
    expect(await consumer('kontor-dispatch', { type: 'hub-delivery', deliveryId })).toEqual({ acked: 1, retried: 0 })
    expect(await simulatorCall(hookHost, '/_sim/received')).toHaveLength(1)
    expect((await rows('select state, attempts from webhook_deliveries where id = ?', deliveryId))[0]).toEqual({
      state: 'delivered',
      attempts: 1,
    })
  })

  it('hand-over: one goods order at Wemalo and one handed_over event', async () => {
    const wemaloHost = `${uniqueName('w')}.wemalo.test`
    await simulatorCall(wemaloHost, '/_sim/account', { token: 'wemalo-race' })
    const tenantForDestination = await createTenant('EUR')
    const destination = await createConnection(tenantForDestination.token, {
      platform: 'wemalo',
      credentials: { token: 'wemalo-race' },
      settings: { baseUrl: `https://${wemaloHost}/v1`, registerWebhooks: false },
    })
    const { summary, orderId } = await shopWithOrder({ routes: [destination.id] })
    const [handoverId] = summary.followUps.handoverIds
    const first = await race('kontor-dispatch', { type: 'handover', handoverId })
    expect(first.acked + first.retried).toBe(2)
    // A retry of the loser (or a redelivery) once the winner is done: nothing more happens.
    expect(await consumer('kontor-dispatch', { type: 'handover', handoverId })).toEqual({ acked: 1, retried: 0 })
    const { goodsOrders } = await simulatorCall(wemaloHost, '/_sim/goodsOrders')
    expect(goodsOrders.filter((order: any) => order.externalId === orderId)).toHaveLength(1)
    const requests = (await simulatorCall(wemaloHost, '/_sim/requests')) as any
    const list: any[] = Array.isArray(requests) ? requests : requests.requests
    expect(list.filter((request) => String(request.path).includes('goodsOrder/add'))).toHaveLength(1)
    expect(
      (await rows("select count(*) as n from order_events where order_id = ? and type = 'handed_over'", orderId))[0].n
    ).toBe(1)
  })

  it('write-back: one Shopify fulfilment for one shipped event', async () => {
    const { tenant, shop, orderId } = await shopWithOrder({ settings: { fulfilmentSync: true } })
    const eventId = `evt_race_${uniqueName()}`
    const now = new Date().toISOString()
    await env.DB.prepare(
      "insert into order_events (id, tenant_id, order_id, type, at, data, source, sync_queued_at) values (?, ?, ?, 'shipped', ?, ?, 'api', ?)"
    )
      .bind(eventId, tenant.id, orderId, now, JSON.stringify({ tracking: [{ number: 'R-1', carrier: 'DHL' }] }), now)
      .run()
    const first = await race('kontor-sync', { type: 'write-back', eventId })
    expect(first.acked + first.retried).toBe(2)
    await consumer('kontor-sync', { type: 'write-back', eventId })
    const { requests } = (await simulatorCall(shop.shopDomain, '/_sim/requests')) as { requests: any[] }
    expect(
      requests.filter((request) => request.method === 'POST' && request.path.endsWith('/fulfillments.json'))
    ).toHaveLength(1)
    expect(
      (await rows('select result from outbound_calls where step_key = ?', `write-back:${eventId}`)).map(
        (row) => row.result
      )
    ).toEqual(['done'])
  })
})
