/**
 * Stock runs in workerd (ST1–ST4): the sellable quantity with orders in flight on two channels,
 * an order arriving between runs, a stale Shopify compare-and-swap, and the call counts a run
 * makes (⌈changed SKUs / batch⌉ per channel, none for unchanged SKUs). Counts, never times.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { apiJson, simulatorCall } from '../helpers'
import { billbeeSim, LOCATION, orderInFlight, runStock, stockTenant, writeCalls } from './support'

/** Read as a client of Billbee's API would; its 2 calls a second per endpoint also bind this read. */
const billbeeFigure = async (apiKey: string, sku: string): Promise<number> => {
  const response = await fetch(`https://app.billbee.io/api/v1/products/${sku}?lookupBy=sku`, {
    headers: { 'x-billbee-api-key': apiKey, authorization: `Basic ${btoa('shop@example.com:secret')}` },
  })
  if (response.status === 429) {
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)))
    return billbeeFigure(apiKey, sku)
  }
  return ((await response.json()) as any).Data.StockCurrent
}
const shopifyLevel = async (domain: string, sku: string) =>
  (await simulatorCall(domain, '/_sim/inventory')).items.find((item: any) => item.sku === sku).levels[LOCATION]
const wooFigure = async (host: string, sku: string) => {
  const response = await fetch(`https://${host}/wp-json/wc/v3/products?sku=${sku}`, {
    headers: { authorization: `Basic ${btoa('ck:cs')}` },
  })
  return ((await response.json()) as any[])[0].stock_quantity
}

describe('stock runs (ST1–ST4)', () => {
  it('ST2: a SKU sold on two channels while both orders are in flight is lowered on every channel', async () => {
    const loop = await stockTenant([{ sku: 'KM-1', quantity: 10 }], { wooBuffer: 1 })
    await orderInFlight(loop, loop.billbee.id, 'KM-1', 2)
    await orderInFlight(loop, loop.woo.id, 'KM-1', 3)
    await runStock(loop, 'full')
    expect(await billbeeFigure(loop.apiKey, 'KM-1')).toBe(5)
    expect(await wooFigure(loop.wooHost, 'KM-1')).toBe(4) // and its buffer of 1
    expect(await shopifyLevel(loop.shop.shopDomain, 'KM-1')).toMatchObject({ available: 5 })
    const stock = await apiJson(`/api/v1/stock?sku=KM-1`, { token: loop.tenant.token })
    expect(stock.items[0]).toMatchObject({ physical: 10, reserved: 0, notReserved: 10, inFlight: 5, sellable: 5 })
    expect(stock.items[0].channels.map((channel: any) => [channel.platform, channel.quantity]).sort()).toEqual([
      ['billbee', 5],
      ['shopify', 5],
      ['woocommerce', 4],
    ])
  })

  it('ST2, ST4: an order that arrives after a push is not lost: the next run lowers the figure; Wemalo accepting it changes nothing', async () => {
    const loop = await stockTenant([{ sku: 'KM-1', quantity: 10 }])
    await runStock(loop, 'full')
    expect(await billbeeFigure(loop.apiKey, 'KM-1')).toBe(10)
    const { handoverId } = await orderInFlight(loop, loop.woo.id, 'KM-1', 4)
    // Wemalo's stock did not change: the run finds the SKU through the order in flight.
    await runStock(loop, 'changes')
    expect(await billbeeFigure(loop.apiKey, 'KM-1')).toBe(6)
    expect(await wooFigure(loop.wooHost, 'KM-1')).toBe(6)
    const before = await writeCalls(loop)
    // Wemalo accepts the order and reserves it: 10 − 4 reserved, nothing in flight: still 6.
    await env.DB.prepare(`update handovers set state = 'confirmed' where id = ?`).bind(handoverId).run()
    await simulatorCall(loop.wemaloHost, '/_sim/stock', { articles: [{ sku: 'KM-1', quantity: 10, reserved: 4 }] })
    await runStock(loop, 'changes')
    expect(await writeCalls(loop)).toEqual(before)
    expect(await billbeeFigure(loop.apiKey, 'KM-1')).toBe(6)
  })

  it('ST4: a stale changeFromQuantity at Shopify is read again and written again under a new key', async () => {
    const loop = await stockTenant([{ sku: 'KM-1', quantity: 7 }])
    await simulatorCall(loop.shop.shopDomain, '/_sim/inventory', { staleNext: 1 })
    await runStock(loop, 'full')
    const inventory = await simulatorCall(loop.shop.shopDomain, '/_sim/inventory')
    expect(inventory.mutations.map((mutation: any) => mutation.userErrors.map((error: any) => error.code))).toEqual([
      ['CHANGE_FROM_QUANTITY_STALE'],
      [],
    ])
    expect(inventory.mutations[1].key).toBe(`${inventory.mutations[0].key}-1`)
    expect(inventory.mutations[1].input.setQuantities[0].changeFromQuantity).toBe(1)
    expect(await shopifyLevel(loop.shop.shopDomain, 'KM-1')).toEqual({ available: 7, committed: 0, onHand: 7 })
  })

  it('ST3, ST4: 250 SKUs to three channels take ⌈250 / 100⌉ calls each; a second run none; 30 changed SKUs one call each', async () => {
    const stock = Array.from({ length: 250 }, (_, index) => ({
      sku: `SKU-${String(index).padStart(4, '0')}`,
      quantity: index % 17,
    }))
    const loop = await stockTenant(stock)
    await runStock(loop, 'full')
    expect(await writeCalls(loop)).toEqual({ billbee: 3, shopify: 3, woo: 3 })
    await runStock(loop, 'full')
    expect(await writeCalls(loop)).toEqual({ billbee: 3, shopify: 3, woo: 3 })
    await simulatorCall(loop.wemaloHost, '/_sim/stock', {
      articles: stock.slice(0, 30).map((item) => ({ sku: item.sku, quantity: item.quantity + 5 })),
    })
    await runStock(loop, 'changes')
    expect(await writeCalls(loop)).toEqual({ billbee: 4, shopify: 4, woo: 4 })
    expect(await billbeeFigure(loop.apiKey, 'SKU-0003')).toBe(8)
    expect((await billbeeSim(loop.apiKey, '/_sim/requests')).violations).toEqual([])
    // Every write is an outbound call row, one per batch, naming its SKUs.
    const calls = await apiJson(`/api/v1/outbound-calls?connectionId=${loop.billbee.id}`, { token: loop.tenant.token })
    expect(calls.items.filter((call: any) => call.action.startsWith('stock:write:'))).toHaveLength(4)
  })
})
