import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  apiJson,
  createConnection,
  createTenant,
  listAll,
  runCron,
  simulatorCall,
  uniqueName,
  waitFor,
  waitForJob,
} from '../helpers'
import { cartumOrderPayload } from '../simulators/cartum'

const shop = simulatorCall

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 19).replace('T', ' ')

async function cartumSetup(orders: unknown[] = []) {
  const host = `${uniqueName('shop')}.cartum.example`
  await shop(host, '/_sim/shop', { login: 'api', password: 'q4lrfb3' })
  if (orders.length) await shop(host, '/_sim/orders', { orders })
  const tenant = await createTenant('UAH')
  const connection = await createConnection(tenant.token, {
    platform: 'cartum',
    credentials: { domain: host, login: 'api', password: 'q4lrfb3' },
  })
  return { host, tenant, connection }
}

describe('Cartum end to end', () => {
  it('CA1: the initial import reads two months without delivered orders, with one login', async () => {
    const { host, tenant, connection } = await cartumSetup([
      ...Array.from({ length: 150 }, (_, index) =>
        cartumOrderPayload({ order_id: 1000 + index, stat_created: daysAgo(index % 50) })
      ),
      cartumOrderPayload({ order_id: 2001, stat_status: 3 }),
      cartumOrderPayload({ order_id: 2002, stat_created: daysAgo(70) }),
    ])
    expect((await waitForJob(connection.backfillJobId!)).status).toBe('done')
    expect(await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)).toHaveLength(150)
    const skipped = await listAll(`/api/v1/import-log?connectionId=${connection.id}&result=skipped`, tenant.token)
    expect(skipped).toEqual([expect.objectContaining({ externalId: '2001', rule: 'CA1' })])
    const { logins, requests } = await shop(host, '/_sim/requests')
    expect(logins).toBe(1)
    expect(
      requests.filter((request: any) => request.fn === 'orders/get').map((request: any) => request.body.offset)
    ).toEqual([0, 100])
  })

  it('the token is renewed when Cartum says it expired, not fetched per call', async () => {
    const { host, tenant, connection } = await cartumSetup([cartumOrderPayload({ order_id: 3001 })])
    await waitForJob(connection.backfillJobId!)
    await shop(host, '/_sim/expire-tokens', {})
    const { jobId } = await apiJson(`/api/v1/connections/${connection.id}/sync`, {
      token: tenant.token,
      body: { mode: 'poll' },
    })
    expect((await waitForJob(jobId)).status).toBe('done')
    expect((await shop(host, '/_sim/requests')).logins).toBe(2)
  })

  it('G1, CA2: a PUT webhook → hub; shipped → Cartum status and tracking; a Cartum status change comes back', async () => {
    const { host, tenant, connection } = await cartumSetup()
    const order = cartumOrderPayload({ order_id: 4001 })
    await shop(host, '/_sim/orders', { orders: [order] })
    const webhook = new URL(connection.webhookUrl)
    expect(webhook.searchParams.get('key')).toBeTruthy()
    expect(
      (await api(`/webhooks/cartum/${connection.id}`, { method: 'PUT', rawBody: JSON.stringify(order) })).status
    ).toBe(401)
    const response = await api(`${webhook.pathname}${webhook.search}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      rawBody: JSON.stringify(order),
    })
    expect(response.status).toBe(202)
    const summary = await waitFor(
      async () => (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0],
      { what: 'order' }
    )
    expect(summary).toMatchObject({ externalId: '4001', status: 'new', currency: 'UAH' })

    await apiJson(`/api/v1/orders/${summary.id}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: '20450000000001', carrier: 'Nova Poshta' }] },
    })
    await waitFor(async () => (await shop(host, '/_sim/orders/4001')).stat_status === 6, { what: 'Cartum status 6' })
    expect((await shop(host, '/_sim/orders/4001')).tracking_code).toBe('20450000000001')

    await shop(host, '/_sim/orders', { orders: [{ ...order, stat_status: 4 }] })
    await runCron()
    const cancelled = await waitFor(
      async () => {
        const current = await apiJson(`/api/v1/orders/${summary.id}`, { token: tenant.token })
        return current.status === 'cancelled' ? current : null
      },
      { what: 'cancelled from Cartum' }
    )
    expect(cancelled.events.map((event: any) => event.type)).toEqual(expect.arrayContaining(['shipped', 'cancelled']))
    const calls = await env.DB.prepare('select result from outbound_calls where order_id = ?').bind(summary.id).all()
    expect(calls.results).toEqual([{ result: 'done' }])
  })
})
