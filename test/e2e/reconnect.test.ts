/**
 * Issue 16, finding 1: one platform account is one identity per tenant. Order ids derive from the
 * connection id, and that id is what a destination knows the order by (Wemalo's `externalId`).
 * A live second connection to the same account is refused with a 409 naming the first; a
 * connection re-created after the old one was deleted takes over its identity, so the orders it
 * reads again keep their ids and are not handed over a second time.
 */
import { describe, expect, it } from 'vitest'
import {
  api,
  apiJson,
  createConnection,
  createTenant,
  listAll,
  simulatorCall,
  uniqueName,
  waitForJob,
} from '../helpers'
import { billbeeOrderPayload } from '../simulators/billbee'
import { billbeeSim } from './billbee-support'

const WEMALO_TOKEN = 'wemalo-jwt-reconnect'

const billbee = billbeeSim

async function billbeeRoutedToWemalo() {
  const host = `${uniqueName('w')}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: WEMALO_TOKEN })
  const tenant = await createTenant('EUR')
  const destination = await createConnection(tenant.token, {
    platform: 'wemalo',
    credentials: { token: WEMALO_TOKEN },
    settings: { baseUrl: `https://${host}/v1`, webhookEmail: 'ops@example.com' },
  })
  const apiKey = uniqueName('key')
  await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
  await billbee(apiKey, '/_sim/orders', { orders: [billbeeOrderPayload({ BillBeeOrderId: 1601 })] })
  const sourceBody = {
    platform: 'billbee',
    credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
    settings: { ordersTag: 'kontor' },
    routes: [destination.id],
  }
  return { host, tenant, destination, apiKey, sourceBody }
}

async function goodsOrders(host: string): Promise<any[]> {
  return (await simulatorCall(host, '/_sim/goodsOrders')).goodsOrders
}

async function waitForGoodsOrders(host: string, count: number) {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if ((await goodsOrders(host)).length >= count) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`expected ${count} goods orders`)
}

describe('finding 1: one identity per platform account', () => {
  it('finding 1, reconnect: a re-created Billbee connection makes no second Wemalo goods order', async () => {
    const { host, tenant, apiKey, sourceBody } = await billbeeRoutedToWemalo()
    const first = await createConnection(tenant.token, sourceBody)
    await waitForJob(first.backfillJobId!, 60_000)
    await waitForGoodsOrders(host, 1)
    const [order] = await listAll(`/api/v1/orders?connectionId=${first.id}`, tenant.token)

    expect((await api(`/api/v1/connections/${first.id}`, { method: 'DELETE', token: tenant.token })).status).toBe(204)
    // The merchant takes Kontor's received tag off (BB8), so that the new connection reads the order again.
    await billbee(apiKey, '/_sim/orders', { orders: [billbeeOrderPayload({ BillBeeOrderId: 1601 })] })
    const again = await createConnection(tenant.token, sourceBody)
    expect((await waitForJob(again.backfillJobId!, 60_000)).status).toBe('done')
    // The hand-over of the re-read order would be queued by now; give the queue time to run it.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await goodsOrders(host)).map((goods) => goods.externalId)).toEqual([order.id])
    expect(again.id).toBe(first.id)

    const orders = await listAll(`/api/v1/orders?connectionId=${again.id}`, tenant.token)
    expect(orders.map((item) => item.id)).toEqual([order.id])
    const log = await listAll(`/api/v1/import-log?connectionId=${again.id}`, tenant.token)
    expect(log.filter((line) => line.externalId === '1601' && line.result === 'created')).toHaveLength(1)
  })

  it('finding 1, live duplicate: a second connection to the same account is refused with 409 naming the first', async () => {
    const { tenant, sourceBody } = await billbeeRoutedToWemalo()
    const first = await createConnection(tenant.token, sourceBody)
    // A retried POST after its insert: the same account again, under another name.
    const retried = await api('/api/v1/connections', {
      token: tenant.token,
      body: { ...sourceBody, name: 'retry' },
    })
    expect(retried.status).toBe(409)
    const body = (await retried.json()) as any
    expect(body.error.message).toContain(first.id)
    const live = await apiJson('/api/v1/connections', { token: tenant.token })
    expect(live.items.filter((item: any) => item.platform === 'billbee').map((item: any) => item.id)).toEqual([
      first.id,
    ])
  })

  it('finding 1, retried POST under a race: two concurrent creates for one account make one identity', async () => {
    const { tenant, sourceBody } = await billbeeRoutedToWemalo()
    const responses = await Promise.all(
      [0, 1].map((copy) =>
        api('/api/v1/connections', { token: tenant.token, body: { ...sourceBody, name: `copy ${copy}` } })
      )
    )
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409])
    const live = await apiJson('/api/v1/connections', { token: tenant.token })
    expect(live.items.filter((item: any) => item.platform === 'billbee')).toHaveLength(1)
  })

  it('finding 1: the same account in another tenant is its own identity', async () => {
    const { tenant, sourceBody } = await billbeeRoutedToWemalo()
    const first = await createConnection(tenant.token, sourceBody)
    const other = await createTenant('EUR')
    const second = await createConnection(other.token, { ...sourceBody, routes: [] })
    expect(second.id).not.toBe(first.id)
  })
})
