import { describe, expect, it } from 'vitest'
import { apiJson, createConnection, createTenant, listAll, uniqueName, waitFor, waitForJob } from '../helpers'
import { billbeeOrderPayload } from '../simulators/billbee'
import { billbeeSim } from './billbee-support'

const billbee = billbeeSim

async function billbeeSetup(seed: { orders?: unknown[]; products?: unknown[] }) {
  const apiKey = uniqueName('key')
  await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
  if (seed.orders) await billbee(apiKey, '/_sim/orders', { orders: seed.orders })
  if (seed.products) await billbee(apiKey, '/_sim/products', { products: seed.products })
  const tenant = await createTenant('EUR')
  const connection = await createConnection(tenant.token, {
    platform: 'billbee',
    credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
    settings: { ordersTag: 'kontor' },
  })
  return { apiKey, tenant, connection }
}

const sync = async (token: string, connectionId: string) => {
  const { jobId } = await apiJson(`/api/v1/connections/${connectionId}/sync`, { token, body: { mode: 'poll' } })
  return waitForJob(jobId, 60_000)
}

describe('Billbee end to end', () => {
  it('BB7, BB3, BB4, BB5: tagged paid orders and all products are imported, then tagged as received', async () => {
    const { apiKey, tenant, connection } = await billbeeSetup({
      orders: [
        billbeeOrderPayload({ BillBeeOrderId: 101 }),
        billbeeOrderPayload({ BillBeeOrderId: 102, Tags: ['other'] }),
        billbeeOrderPayload({ BillBeeOrderId: 103, State: 1 }),
      ],
      products: [{ Id: 777 }, { Id: 778, SKU: 'KM-2', EAN: null }, { Id: 779, SKU: 'KM-1', EAN: '4006381333955' }],
    })
    expect((await waitForJob(connection.backfillJobId!, 60_000)).status).toBe('done')
    const orders = await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)
    expect(orders.map((order) => order.externalId)).toEqual(['101'])
    expect((await billbee(apiKey, '/_sim/orders/101')).Tags).toEqual(['kontor', 'order_received_by_kontor'])
    const rejected = await listAll(`/api/v1/import-log?connectionId=${connection.id}&result=rejected`, tenant.token)
    expect(rejected.map((entry) => [entry.externalId, entry.rule]).sort()).toEqual([
      ['778', 'BB3'],
      ['779', 'BB4'],
    ])
    const products = await listAll('/api/v1/products', tenant.token)
    const mill = products.find((product) => product.sku === 'KM-1')
    expect(mill).toMatchObject({
      ean: '4006381333931',
      unit: 'piece',
      dimensions: { weight: '850', length: '12', width: '12', height: '20.500' },
    })

    // BB5: a changed size is not applied; BB8: a re-tagged order is re-imported while it is new.
    await billbee(apiKey, '/_sim/products', {
      products: [{ Id: 777, Weight: 999, Title: [{ Text: 'Kaffeemühle XL', LanguageCode: 'DE' }] }],
    })
    expect((await sync(tenant.token, connection.id)).status).toBe('done')
    const again = (await listAll('/api/v1/products', tenant.token)).find((product) => product.code === '777')
    expect(again).toMatchObject({ name: 'Kaffeemühle XL', dimensions: { weight: '850' } })
    const { requests, violations } = await billbee(apiKey, '/_sim/requests')
    expect(violations).toEqual([])
    const listing = requests.find((request: any) => request.path === '/api/v1/orders')
    expect(listing.query).toMatchObject({ orderStateId: ['3'], tag: ['kontor'], pageSize: ['250'] })
  })

  it('BB8: a re-tagged order is re-imported only while it is not processing', async () => {
    const { apiKey, tenant, connection } = await billbeeSetup({
      orders: [billbeeOrderPayload({ BillBeeOrderId: 201 }), billbeeOrderPayload({ BillBeeOrderId: 202 })],
    })
    await waitForJob(connection.backfillJobId!, 60_000)
    const orders = await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)
    const busy = orders.find((order) => order.externalId === '202')
    await apiJson(`/api/v1/orders/${busy.id}/events`, { token: tenant.token, body: { type: 'processing' } })

    const changed = { Tags: ['kontor'], LastModifiedAt: '2026-11-21T10:00:00', ShippingCost: 9.9 }
    await billbee(apiKey, '/_sim/orders', {
      orders: [
        billbeeOrderPayload({ BillBeeOrderId: 201, ...changed }),
        billbeeOrderPayload({ BillBeeOrderId: 202, ...changed }),
      ],
    })
    await sync(tenant.token, connection.id)
    const log = await listAll(`/api/v1/import-log?connectionId=${connection.id}`, tenant.token)
    expect(log.find((entry) => entry.externalId === '201' && entry.result === 'updated')).toBeTruthy()
    expect(log.find((entry) => entry.externalId === '202' && entry.result === 'unchanged')).toMatchObject({
      rule: 'BB8',
    })
  })

  it('BB9: shipped sets state 4 and adds the shipment, with the carrier when the profile names match', async () => {
    const { apiKey, tenant, connection } = await billbeeSetup({
      orders: [billbeeOrderPayload({ BillBeeOrderId: 301 }), billbeeOrderPayload({ BillBeeOrderId: 302 })],
    })
    await waitForJob(connection.backfillJobId!, 60_000)
    const orders = await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)
    const byId = (id: string) => orders.find((order) => order.externalId === id)
    await apiJson(`/api/v1/orders/${byId('301').id}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: '00340434', carrier: 'DHL' }] },
    })
    await apiJson(`/api/v1/orders/${byId('302').id}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: '1Z999', carrier: 'UPS' }] },
    })
    const first = await waitFor(
      async () => {
        const order = await billbee(apiKey, '/_sim/orders/301')
        return order.shipments.length ? order : null
      },
      { what: 'shipment 301', timeoutMs: 30_000 }
    )
    expect(first.State).toBe(4)
    expect(first.shipments[0]).toMatchObject({ ShippingId: '00340434', ShippingProviderId: 12345 })
    const second = await waitFor(
      async () => {
        const order = await billbee(apiKey, '/_sim/orders/302')
        return order.shipments.length ? order : null
      },
      { what: 'shipment 302', timeoutMs: 30_000 }
    )
    expect(second.shipments[0].ShippingProviderId).toBeUndefined()
    expect((await billbee(apiKey, '/_sim/requests')).violations).toEqual([])
  })
})
