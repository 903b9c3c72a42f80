import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createConnection, createTenant, listAll, runCron, waitFor, waitForJob } from '../helpers'
import { shopifyOrderPayload, shopifySetup, simulatedShop, simulator, WEBHOOK_SECRET } from './shopify-support'

describe('Shopify backfill and reconciliation', () => {
  it('SH1: a backfill of 600 orders with a 429 in the middle imports all 600 once, clamped to 60 days', async () => {
    const shop = await simulatedShop()
    await simulator(shop.shopDomain, '/_sim/orders', { generate: 600 })
    const tenant = await createTenant('USD')
    // The second page request and the next one answer 429; Retry-After is honoured.
    const connection = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    })
    await simulator(shop.shopDomain, '/_sim/faults', { status: 429, count: 3 })
    const job = await waitForJob(connection.backfillJobId!, 120_000)
    expect(job.status).toBe('done')

    const orders = await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)
    const ids = orders.map((order) => order.externalId)
    expect(new Set(ids).size).toBe(ids.length)
    const expected = await env.DB.prepare(
      "select count(*) as n from import_log where connection_id = ? and kind = 'order' and result = 'skipped' and rule = 'SH1' and external_id is not null"
    )
      .bind(connection.id)
      .first<{ n: number }>()
    expect(orders.length + expected!.n).toBe(600)

    const list = ((await simulator(shop.shopDomain, '/_sim/requests')).requests as any[]).filter((request: any) =>
      request.path.endsWith('/orders.json')
    )
    expect(list[0].query).toMatchObject({ status: 'any', limit: '250' })
    expect(list.filter((request: any) => request.status === 429)).toHaveLength(3)
    const clamp = (await listAll(`/api/v1/import-log?connectionId=${connection.id}&result=skipped`, tenant.token)).find(
      (entry: any) => entry.externalId === null
    )
    expect(clamp).toMatchObject({ rule: 'SH1', reason: expect.stringContaining('60 days') })
  })

  it('G1: the cron reconciles an order whose webhook never came', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    await waitForJob(connection.backfillJobId!)
    const now = new Date().toISOString()
    await simulator(shop.shopDomain, '/_sim/orders', {
      orders: [shopifyOrderPayload({ id: 7770001, currency: 'USD', created_at: now, updated_at: now })],
    })
    await runCron()
    const order = await waitFor(
      async () =>
        (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items.find(
          (item: any) => item.externalId === '7770001'
        ),
      { what: 'reconciled order' }
    )
    expect(order.number).toBeTruthy()
    const cursor = await waitFor(
      () =>
        env.DB.prepare("select cursor from sync_cursors where connection_id = ? and kind = 'poll'")
          .bind(connection.id)
          .first<{ cursor: string }>(),
      { what: 'poll cursor' }
    )
    expect(Date.parse(cursor.cursor)).toBeGreaterThan(0)
  })

  it('a failing page is retried with backoff, lands in dead letters, and a replay finishes it', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    await waitForJob(connection.backfillJobId!)
    const now = new Date().toISOString()
    await simulator(shop.shopDomain, '/_sim/orders', {
      orders: [shopifyOrderPayload({ id: 7770002, currency: 'USD', created_at: now, updated_at: now })],
    })
    await simulator(shop.shopDomain, '/_sim/faults', { status: 500, count: 1000 })
    const { jobId } = await apiJson(`/api/v1/connections/${connection.id}/sync`, {
      token: tenant.token,
      body: { mode: 'poll' },
    })

    const job = await waitForJob(jobId, 60_000)
    expect(job.status).toBe('failed')
    const letters = await apiJson('/api/v1/dead-letters', { token: tenant.token })
    const letter = letters.items.find((item: any) => item.body.jobId === jobId)
    expect(letter).toMatchObject({ queue: 'ingest', attempts: 6, error: expect.stringContaining('500') })

    await simulator(shop.shopDomain, '/_sim/faults', { status: 500, count: 0 })
    expect(
      (await api(`/api/v1/dead-letters/${letter.id}/replay`, { method: 'POST', token: tenant.token })).status
    ).toBe(202)
    await waitFor(
      async () =>
        (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items.find(
          (item: any) => item.externalId === '7770002'
        ),
      { what: 'order after replay' }
    )
    const other = await createTenant('USD')
    expect((await apiJson('/api/v1/dead-letters', { token: other.token })).items).toHaveLength(0)
  })
})
