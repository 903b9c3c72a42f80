/** ST3 for plentymarkets: a stock correction on warehouseId/storageLocationId, plenty's reserved stock kept apart. */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { apiJson, createConnection, createTenant, simulatorCall, uniqueName, waitFor } from '../helpers'
import { plentyConnection } from '../e2e/plenty-support'
import { WEMALO_TOKEN } from './support'

describe('plentymarkets stock (ST3)', () => {
  it('ST3: physical stock := sellable + plenty reserved, by a correction (reason 301) on the storage location; an unknown SKU is skipped', async () => {
    const wemaloHost = `${uniqueName('w')}.wemalo.test`
    await simulatorCall(wemaloHost, '/_sim/account', { token: WEMALO_TOKEN })
    await simulatorCall(wemaloHost, '/_sim/stock', {
      articles: [
        { sku: 'KM-1', quantity: 10 },
        { sku: 'NOT-IN-PLENTY', quantity: 4 },
      ],
    })
    const tenant = await createTenant('EUR')
    const wemalo = await createConnection(tenant.token, {
      platform: 'wemalo',
      credentials: { token: WEMALO_TOKEN },
      settings: { baseUrl: `https://${wemaloHost}/v1`, registerWebhooks: false },
    })
    const { host, connection } = await plentyConnection(tenant.token, { routes: [wemalo.id] })
    await simulatorCall(host, '/_sim/variations', { variations: [{ id: 1001, number: 'KM-1' }] })
    await simulatorCall(host, '/_sim/stock', { stock: [{ variationId: 1001, physical: 3, reserved: 2 }] })
    await env.DISPATCH.send({ type: 'stock-run', warehouseId: wemalo.id, mode: 'full' })
    const variation = await waitFor(
      async () => {
        const [found] = await simulatorCall(host, '/_sim/stock')
        return found.stock['1'].physical === 12 ? found : null
      },
      { what: 'plenty corrected' }
    )
    expect(variation.stock['1']).toEqual({ physical: 12, reserved: 2 })
    const { requests, violations } = await simulatorCall(host, '/_sim/requests')
    expect(violations).toEqual([])
    const correction = requests.find((entry: any) => entry.path.endsWith('/stock/correction'))
    expect(correction).toMatchObject({
      method: 'PUT',
      path: '/rest/stockmanagement/warehouses/1/stock/correction',
      body: { corrections: [{ variationId: 1001, storageLocationId: 0, quantity: 12, reasonId: 301 }] },
    })
    const stock = await waitFor(
      async () => {
        const page = await apiJson(`/api/v1/stock?connectionId=${connection.id}`, { token: tenant.token })
        return page.items.length === 2 ? page : null
      },
      { what: 'the stock API' }
    )
    const channelOf = (sku: string) =>
      stock.items
        .find((item: any) => item.sku === sku)
        .channels.find((entry: any) => entry.connectionId === connection.id)
    expect(channelOf('KM-1')).toMatchObject({ quantity: 10, skippedReason: null })
    expect(channelOf('NOT-IN-PLENTY').skippedReason).toMatch(/no variation/)
  })
})
