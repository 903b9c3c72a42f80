/**
 * The order lifecycle after the import, under races and retries in workerd: compare-and-set
 * imports, tracking appended in SQL, one `created` log row for 100 concurrent deliveries,
 * write-back steps done once under injected failures, current-status write-backs, hub webhooks
 * verified with the `standardwebhooks` package, and the cron's sweeps for lost queue messages.
 */
import { env } from 'cloudflare:workers'
import { handleSyncMessage } from '../../src/queue/sync'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import { isGuardFailure } from '../../src/db/write-guard'
import { writeBatch } from '../../src/db/write-batch'
import { importRecords, type ImportTarget } from '../../src/import/import-records'
import { orderId, orderWriteStatements } from '../../src/import/store-order'
import { recordOrderEvent } from '../../src/orders/record-event'
import {
  api,
  apiJson,
  createConnection,
  createTenant,
  runCron,
  simulatorCall,
  uniqueName,
  waitFor,
  waitForJob,
} from '../helpers'
import { importTarget as importTargetOf, order as incomingOrder } from '../import/fixtures'
import { cartumOrderPayload } from '../simulators/cartum'
import { plentyOrderPayload } from '../simulators/plentymarkets'
import { plentyConnection } from './plenty-support'
import { deliverWebhook, orderJson, shopifySetup } from './shopify-support'

const db = () => database(env.DB)
const rows = async <T = any>(query: string, ...values: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...values)
      .all<T>()
  ).results
const queues = { sync: env.SYNC, dispatch: env.DISPATCH }

/** A tenant with a real (Shopify) connection, so write-backs the events queue have somewhere to go. */
async function importTarget(): Promise<ImportTarget> {
  const { tenant, connection } = await shopifySetup({ currency: 'EUR' })
  return importTargetOf({ tenantId: tenant.id, connectionId: connection.id })
}

async function orderRow(id: string) {
  return (
    await rows<{ status: string; tracking: string; revision: number }>('select * from orders where id = ?', id)
  )[0]
}

describe('order state is compare-and-set', () => {
  it('an import planned from a snapshot an order event has changed writes nothing (the guard rolls the batch back)', async () => {
    const target = await importTarget()
    const first = incomingOrder()
    await importRecords(db(), target, [{ kind: 'order', order: first }])
    const id = await orderId(target.connectionId, first.externalId)
    const planned = await orderRow(id)
    await recordOrderEvent(db(), queues, {
      tenantId: target.tenantId,
      orderId: id,
      event: { type: 'shipped', tracking: [{ number: 'T-1', carrier: 'DHL' }] },
      idempotencyKey: null,
      source: 'api',
    })

    // The plan was made from the revision before the event: status `new`.
    const stale = await orderWriteStatements(db(), {
      scope: { tenantId: target.tenantId, connectionId: target.connectionId, platform: 'shopify', productMatch: 'sku' },
      incoming: { ...first, total: '60.00', updatedAt: '2026-11-02T10:00:00.000Z' },
      orderId: id,
      contentHash: 'changed',
      status: 'new',
      events: [],
      result: 'updated',
      expectedRevision: planned.revision,
      routes: [],
    })
    const failure = await writeBatch(db(), stale.statements).catch((error: unknown) => error)
    expect(isGuardFailure(failure)).toBe(true)
    const after = await orderRow(id)
    expect(after.status).toBe('shipped')
    expect(after.revision).toBe(planned.revision + 1)
  })

  it('an import planned as new while a twin created the order writes nothing (the order statement refuses)', async () => {
    const target = await importTarget()
    const incoming = incomingOrder()
    const id = await orderId(target.connectionId, incoming.externalId)
    const planAsNew = () =>
      orderWriteStatements(db(), {
        scope: {
          tenantId: target.tenantId,
          connectionId: target.connectionId,
          platform: 'shopify',
          productMatch: 'sku',
        },
        incoming,
        orderId: id,
        contentHash: 'first',
        status: 'new',
        events: [],
        result: 'created',
        expectedRevision: null,
        routes: [],
      })
    const [twin, late] = await Promise.all([planAsNew(), planAsNew()])
    await writeBatch(db(), twin.statements)
    const failure = await writeBatch(db(), late.statements).catch((error: unknown) => error)
    expect(isGuardFailure(failure)).toBe(true)
    expect((await orderRow(id)).revision).toBe(0)
    const logged = await rows('select count(*) as n from import_log where connection_id = ?', target.connectionId)
    expect(logged[0]).toEqual({ n: 1 })
  })

  it('imports racing order events never roll the status back (20 real races in workerd)', async () => {
    const target = await importTarget()
    for (let round = 0; round < 20; round++) {
      const first = incomingOrder()
      await importRecords(db(), target, [{ kind: 'order', order: first }])
      const id = await orderId(target.connectionId, first.externalId)
      const changed = { ...first, total: '61.00', updatedAt: '2026-11-03T10:00:00.000Z' }
      await Promise.all([
        importRecords(db(), target, [{ kind: 'order', order: changed }]),
        recordOrderEvent(db(), queues, {
          tenantId: target.tenantId,
          orderId: id,
          event: { type: 'processing' },
          idempotencyKey: null,
          source: 'api',
        }),
      ])
      const after = await rows('select status, total from orders where id = ?', id)
      expect(after[0]).toEqual({ status: 'processing', total: '61.00' })
    }
  })

  it('two concurrent shipped reports keep both sets of tracking numbers', async () => {
    const target = await importTarget()
    for (let round = 0; round < 10; round++) {
      const first = incomingOrder()
      await importRecords(db(), target, [{ kind: 'order', order: first }])
      const id = await orderId(target.connectionId, first.externalId)
      await Promise.all(
        ['A', 'B', 'C'].map((letter) =>
          recordOrderEvent(db(), queues, {
            tenantId: target.tenantId,
            orderId: id,
            event: { type: 'shipped', tracking: [{ number: `${letter}-${round}`, carrier: 'DHL' }] },
            idempotencyKey: null,
            source: 'api',
          })
        )
      )
      const tracking = JSON.parse((await orderRow(id)).tracking).map((item: { number: string }) => item.number)
      expect(tracking.sort()).toEqual([`A-${round}`, `B-${round}`, `C-${round}`])
    }
  })

  it('a late processing report does not take a shipped order back', async () => {
    const target = await importTarget()
    const first = incomingOrder()
    await importRecords(db(), target, [{ kind: 'order', order: first }])
    const id = await orderId(target.connectionId, first.externalId)
    const report = (type: 'shipped' | 'processing') =>
      recordOrderEvent(db(), queues, {
        tenantId: target.tenantId,
        orderId: id,
        event: type === 'shipped' ? { type, tracking: [{ number: 'S-1', carrier: null }] } : { type },
        idempotencyKey: null,
        source: 'api',
      })
    await report('shipped')
    await report('processing')
    expect((await orderRow(id)).status).toBe('shipped')
  })
})

describe('honest import log', () => {
  it('100 concurrent deliveries of one new order give one created row and no more', async () => {
    const target = await importTarget()
    const first = incomingOrder()
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () => importRecords(db(), target, [{ kind: 'order', order: first }]))
    )
    const created = outcomes.filter((summary) => summary.orders[0].result === 'created').length
    expect(created).toBe(1)
    const logged = await rows(
      'select result from import_log where connection_id = ? and external_id = ?',
      target.connectionId,
      first.externalId
    )
    expect(logged).toEqual([{ result: 'created' }])
    expect(await rows('select count(*) as n from orders where connection_id = ?', target.connectionId)).toEqual([
      { n: 1 },
    ])
  })

  it('a poll that finds nothing new counts the orders on its job instead of logging each', async () => {
    const { shop, tenant, connection } = await shopifySetup({ seedOrders: 30 })
    expect((await waitForJob(connection.backfillJobId!)).status).toBe('done')
    const before = await rows('select count(*) as n from import_log where connection_id = ?', connection.id)
    const { jobId } = await apiJson(`/api/v1/connections/${connection.id}/sync`, {
      token: tenant.token,
      body: { mode: 'backfill' },
    })
    const job = await waitForJob(jobId)
    expect(job).toMatchObject({ status: 'done' })
    expect((await rows('select unchanged from sync_jobs where id = ?', jobId))[0].unchanged).toBeGreaterThan(0)
    // Only the run's own note (SH1's clamp) is new; no `unchanged` row per order.
    const after = await rows(
      'select count(*) as n from import_log where connection_id = ? and result = ?',
      connection.id,
      'unchanged'
    )
    expect(after).toEqual([{ n: 0 }])
    expect(shop.shopDomain).toBeTruthy()
    expect(before[0].n).toBeGreaterThan(0)
  })
})

async function plentySystem(orders: unknown[]) {
  const tenant = await createTenant('EUR')
  const { host, connection } = await plentyConnection(tenant.token, { orders })
  expect((await waitForJob(connection.backfillJobId!)).status).toBe('done')
  const summary = (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0]
  return { host, tenant, connection, orderId: summary.id as string }
}

async function stepsSettled(orderId: string, action: string) {
  return waitFor(
    async () => {
      const calls = await rows<{ result: string; action: string; attempts: number }>(
        'select action, result, attempts from outbound_calls where order_id = ? and action like ? order by action',
        orderId,
        `${action}%`
      )
      return calls.some((call) => call.action === action && call.result === 'done') ? calls : null
    },
    { what: `${action} done`, timeoutMs: 30_000 }
  )
}

describe('write-back exactly once', () => {
  it('PM7: a failure at every step (before the call, and after it with the answer lost) still gives one package and one note', async () => {
    const { host, tenant, orderId } = await plentySystem([plentyOrderPayload({ id: 7001 })])
    await simulatorCall(host, '/_sim/faults', {
      method: 'POST',
      pathIncludes: '/shipping/packages',
      times: 1,
      status: 500,
    })
    await simulatorCall(host, '/_sim/faults', {
      method: 'POST',
      pathIncludes: '/rest/comments',
      times: 1,
      status: 500,
      applied: true,
    })
    await simulatorCall(host, '/_sim/faults', {
      method: 'POST',
      pathIncludes: '/shipping/packages',
      times: 1,
      status: 503,
      applied: true,
    })
    const { id: eventId } = await apiJson(`/api/v1/orders/${orderId}/events`, {
      token: tenant.token,
      body: {
        type: 'shipped',
        tracking: [
          { number: 'P-1', carrier: 'DHL' },
          { number: 'P-2', carrier: 'DHL' },
        ],
      },
    })
    const calls = await stepsSettled(orderId, 'write-back:shipped')
    expect(calls.filter((call) => call.action.includes(':package:')).every((call) => call.result === 'done')).toBe(true)
    const state = await simulatorCall(host, '/_sim/orders/7001')
    expect(state.packages.map((entry: any) => entry.packageNumber).sort()).toEqual(['P-1', 'P-2'])
    expect(state.comments.filter((comment: any) => comment.text.startsWith('Shipped'))).toHaveLength(1)

    // A redelivered SYNC message (at least once) finds the write-back's claim done and calls nothing.
    const requestsBefore = (await simulatorCall(host, '/_sim/requests')).requests.length
    await handleSyncMessage(env, { type: 'write-back', eventId })
    const verdicts = await rows(
      'select result, attempts from outbound_calls where order_id = ? and action = ?',
      orderId,
      'write-back:shipped'
    )
    expect(verdicts).toEqual([expect.objectContaining({ result: 'done' })])
    const again = await simulatorCall(host, '/_sim/orders/7001')
    expect(again.packages).toHaveLength(2)
    expect(again.comments.filter((comment: any) => comment.text.startsWith('Shipped'))).toHaveLength(1)
    const newRequests = (await simulatorCall(host, '/_sim/requests')).requests.slice(requestsBefore)
    expect(
      newRequests.filter((request: any) => request.method === 'POST' && !request.path.startsWith('/rest/login'))
    ).toEqual([])
    expect((await simulatorCall(host, '/_sim/requests')).violations).toEqual([])
  })

  it("CA2: a status write-back sends the order's current status, so a retried processing after shipped leaves Cartum at shipped", async () => {
    const host = `${uniqueName('shop')}.cartum.example`
    await simulatorCall(host, '/_sim/shop', { login: 'api', password: 'pw' })
    await simulatorCall(host, '/_sim/orders', { orders: [cartumOrderPayload({ order_id: 5001 })] })
    const tenant = await createTenant('UAH')
    const connection = await createConnection(tenant.token, {
      platform: 'cartum',
      credentials: { domain: host, login: 'api', password: 'pw' },
    })
    await waitForJob(connection.backfillJobId!)
    const summary = (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0]
    const processing = await apiJson(`/api/v1/orders/${summary.id}/events`, {
      token: tenant.token,
      body: { type: 'processing' },
    })
    await waitFor(async () => (await simulatorCall(host, '/_sim/orders/5001')).stat_status === 2, { what: 'status 2' })
    await apiJson(`/api/v1/orders/${summary.id}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: 'NP-1', carrier: 'Nova Poshta' }] },
    })
    await waitFor(async () => (await simulatorCall(host, '/_sim/orders/5001')).stat_status === 6, { what: 'status 6' })
    // The processing write-back delivered again, as a queue retry would: done once, not sent again.
    await handleSyncMessage(env, { type: 'write-back', eventId: processing.id })
    expect(
      (
        await rows(
          'select count(*) as n from outbound_calls where order_id = ? and action = ?',
          summary.id,
          'write-back:processing'
        )
      )[0].n
    ).toBe(1)
    expect((await simulatorCall(host, '/_sim/orders/5001')).stat_status).toBe(6)
  })

  it('every outbound call is listed by GET /outbound-calls, filtered by order, connection and result', async () => {
    const { tenant, orderId, connection } = await plentySystem([plentyOrderPayload({ id: 7101 })])
    await apiJson(`/api/v1/orders/${orderId}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: 'L-1', carrier: 'DHL' }] },
    })
    await stepsSettled(orderId, 'write-back:shipped')
    const listed = await apiJson(`/api/v1/outbound-calls?orderId=${orderId}&result=done`, { token: tenant.token })
    expect(listed.items.map((call: any) => call.action).sort()).toEqual([
      'write-back:shipped',
      'write-back:shipped:note',
      'write-back:shipped:package:L-1',
    ])
    const byConnection = await apiJson(`/api/v1/outbound-calls?connectionId=${connection.id}`, { token: tenant.token })
    expect(byConnection.items.length).toBeGreaterThanOrEqual(3)
    const other = await createTenant('EUR')
    expect((await apiJson(`/api/v1/outbound-calls?orderId=${orderId}`, { token: other.token })).items).toEqual([])
  })
})

describe('hub webhooks (HW1)', () => {
  async function endpointFor(token: string, events: string[] = ['*']) {
    const host = `${uniqueName('r')}.hooks.test`
    const response = await api('/api/v1/webhook-endpoints', { token, body: { url: `https://${host}/kontor`, events } })
    expect(response.status).toBe(201)
    return { host, endpoint: (await response.json()) as { id: string; secret: string; url: string; events: string[] } }
  }

  it('HW1: an endpoint receives order.imported and then order.shipped, each verified by standardwebhooks', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const { host, endpoint } = await endpointFor(tenant.token, ['order.imported', 'order.shipped'])
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/)
    expect(await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}`, { token: tenant.token })).not.toHaveProperty(
      'secret'
    )

    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 880001 }))).status).toBe(202)
    const summary = await waitFor(
      async () => (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0],
      { what: 'order' }
    )
    await apiJson(`/api/v1/orders/${summary.id}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: '1Z-HW1', carrier: 'UPS' }] },
    })
    const received = await waitFor(
      async () => {
        const all = await simulatorCall(host, '/_sim/received')
        return all.length >= 2 ? all : null
      },
      { what: 'two deliveries' }
    )
    const verifier = new Webhook(endpoint.secret)
    const payloads = received.map((delivery: any) => verifier.verify(delivery.body, delivery.headers) as any)
    expect(payloads.map((payload: any) => payload.type)).toEqual(['order.imported', 'order.shipped'])
    expect(payloads[0].data.order).toMatchObject({ id: summary.id, externalId: '880001', lines: expect.any(Array) })
    expect(payloads[1].data.event).toMatchObject({ type: 'shipped', data: { tracking: [{ number: '1Z-HW1' }] } })
    expect(payloads[1].data.order.tracking).toEqual([{ number: '1Z-HW1', carrier: 'UPS', url: null }])
    // A tampered body does not verify.
    expect(() => verifier.verify(received[0].body.replace('880001', '880002'), received[0].headers)).toThrow()

    const deliveries = await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: tenant.token })
    expect(deliveries.items.map((delivery: any) => [delivery.type, delivery.state])).toEqual([
      ['order.shipped', 'delivered'],
      ['order.imported', 'delivered'],
    ])
  })

  it('HW1: a non-2xx answer is retried (Retry-After honoured) with the same webhook-id, and a delivery can be replayed', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const { host, endpoint } = await endpointFor(tenant.token, ['order.imported'])
    await simulatorCall(host, '/_sim/answers', { answers: [{ status: 503, retryAfter: '1' }, { status: 500 }] })
    await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 880101 }))
    const received = await waitFor(
      async () => {
        const all = await simulatorCall(host, '/_sim/received')
        return all.some((delivery: any) => delivery.status === 204) ? all : null
      },
      { what: 'delivered after retries', timeoutMs: 30_000 }
    )
    expect(received.map((delivery: any) => delivery.status)).toEqual([503, 500, 204])
    expect(new Set(received.map((delivery: any) => delivery.headers['webhook-id'])).size).toBe(1)
    const gap = Date.parse(received[1].at) - Date.parse(received[0].at)
    expect(gap).toBeGreaterThanOrEqual(900)
    const [delivery] = (await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: tenant.token }))
      .items
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 204 })

    const replay = await api(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/replay`, {
      method: 'POST',
      token: tenant.token,
    })
    expect(replay.status).toBe(202)
    const after = await waitFor(
      async () => {
        const all = await simulatorCall(host, '/_sim/received')
        return all.length === 4 ? all : null
      },
      { what: 'replayed delivery' }
    )
    expect(after[3].body).toBe(after[0].body)
    expect(after[3].headers['webhook-id']).toBe(after[0].headers['webhook-id'])
  })

  it('HW1: every change is reported, even one back to content the order had before', async () => {
    const { tenant, connection } = await shopifySetup({ currency: 'EUR' })
    const { host } = await endpointFor(tenant.token, ['order.imported', 'order.updated'])
    const target = importTargetOf({ tenantId: tenant.id, connectionId: connection.id })
    const first = incomingOrder()
    const changed = { ...first, total: '70.00', updatedAt: '2026-11-02T10:00:00.000Z' }
    const back = { ...first, updatedAt: '2026-11-03T10:00:00.000Z' }
    const followUps = []
    for (const version of [first, changed, back]) {
      followUps.push(...(await importRecords(db(), target, [{ kind: 'order', order: version }])).followUps.deliveryIds)
    }
    await env.DISPATCH.sendBatch(followUps.map((deliveryId) => ({ body: { type: 'hub-delivery', deliveryId } })))
    const received = await waitFor(
      async () => {
        const all = await simulatorCall(host, '/_sim/received')
        return all.length >= 3 ? all : null
      },
      { what: 'three deliveries' }
    )
    expect(received.map((delivery: any) => JSON.parse(delivery.body).type).sort()).toEqual([
      'order.imported',
      'order.updated',
      'order.updated',
    ])
  })

  it('HW1: endpoint URLs obey the private-host rules, and another tenant sees none of it', async () => {
    const tenant = await createTenant('EUR')
    for (const url of ['https://localhost./x', 'https://10.0.0.1/x', 'https://metadata/x', 'http://example.com/x']) {
      const response = await api('/api/v1/webhook-endpoints', { token: tenant.token, body: { url, events: ['*'] } })
      expect(response.status, url).toBe(400)
    }
    const bad = await api('/api/v1/webhook-endpoints', {
      token: tenant.token,
      body: { url: 'https://a.hooks.test/', events: ['order.nope'] },
    })
    expect(bad.status).toBe(400)
    const { endpoint } = await endpointFor(tenant.token)
    const other = await createTenant('EUR')
    expect((await api(`/api/v1/webhook-endpoints/${endpoint.id}`, { token: other.token })).status).toBe(404)
    expect(
      (await api(`/api/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE', token: other.token })).status
    ).toBe(404)
    expect(
      (await api(`/api/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE', token: tenant.token })).status
    ).toBe(204)
    expect((await apiJson('/api/v1/webhook-endpoints', { token: tenant.token })).items).toEqual([])
  })
})

describe('the cron sweeps up lost queue messages', () => {
  it('an inbox row whose queue message was never sent is imported by the sweep', async () => {
    const { tenant, connection } = await shopifySetup()
    const receivedAt = new Date(Date.now() - 10 * 60_000).toISOString()
    await env.DB.prepare(
      'insert into inbox (id, connection_id, delivery_key, topic, body, received_at) values (?, ?, ?, ?, ?, ?)'
    )
      .bind(
        `inb_${uniqueName('lost')}`,
        connection.id,
        crypto.randomUUID(),
        'orders/create',
        orderJson({ id: 880201 }),
        receivedAt
      )
      .run()
    await runCron()
    const imported = await waitFor(
      async () => (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0],
      { what: 'swept order' }
    )
    expect(imported.externalId).toBe('880201')
  })
})
