/**
 * The warehouse loop's stock half, end to end (ST1–ST5): Wemalo's stock reaches Billbee,
 * Shopify and WooCommerce through the real Worker, queues and D1, each with its own call, and
 * an order lowers the figure on the other channels. Products are seeded in the simulators
 * directly (the product send, WM4–WM6, is tested on its own).
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createConnection, createTenant, simulatorCall, uniqueName, waitFor } from '../helpers'
import { deliverWebhook, orderJson, simulatedShop, WEBHOOK_SECRET } from './shopify-support'

const WEMALO_TOKEN = 'wemalo-stock-token'
const LOCATION = 'gid://shopify/Location/1001'

async function billbee(account: string, path: string, body?: unknown) {
  const response = await fetch(`https://app.billbee.io${path}${path.includes('?') ? '&' : '?'}account=${account}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<any>
}

/** A tenant whose Billbee, Shopify and WooCommerce are routed to one Wemalo warehouse. */
async function warehouseLoop(options: { billbeeSettings?: Record<string, unknown> } = {}) {
  const wemaloHost = `${uniqueName('w')}.wemalo.test`
  await simulatorCall(wemaloHost, '/_sim/account', { token: WEMALO_TOKEN })
  await simulatorCall(wemaloHost, '/_sim/stock', {
    articles: [
      { sku: 'KM-1', quantity: 10 },
      { sku: 'TEE-M', quantity: 4, secondChoice: 3 },
      { sku: 'ONLY-WEMALO', quantity: 7 },
    ],
  })
  const tenant = await createTenant('EUR')
  const wemalo = await createConnection(tenant.token, {
    platform: 'wemalo',
    credentials: { token: WEMALO_TOKEN },
    settings: { baseUrl: `https://${wemaloHost}/v1`, webhookEmail: 'ops@example.com' },
  })

  const apiKey = uniqueName('key')
  await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
  await billbee(apiKey, '/_sim/products', {
    products: [
      { Id: 1, SKU: 'KM-1', EAN: '4006381333931', StockCurrent: 0 },
      { Id: 2, SKU: 'TEE-M', EAN: '4006381333948', StockCurrent: 0 },
    ],
  })
  const billbeeConnection = await createConnection(tenant.token, {
    platform: 'billbee',
    credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
    settings: { ordersTag: 'kontor', pollMinutes: 1440, ...options.billbeeSettings },
    routes: [wemalo.id],
  })

  const shop = await simulatedShop()
  await simulatorCall(shop.shopDomain, '/_sim/inventory', {
    items: [
      { sku: 'KM-1', available: 3, committed: 1 },
      { sku: 'TEE-M', stocked: false },
    ],
  })
  const shopify = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    settings: { stockLocationId: '1001', registerWebhooks: false, pollMinutes: 1440 },
    routes: [wemalo.id],
  })

  const wooHost = `${uniqueName('site')}.woo.example`
  await simulatorCall(wooHost, '/_sim/site', { consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' })
  await simulatorCall(wooHost, '/_sim/products', {
    products: [
      { id: 11, sku: 'KM-1', type: 'simple', parent_id: 0, manage_stock: false, stock_quantity: null },
      { id: 20, sku: 'TEE', type: 'variable', parent_id: 0, manage_stock: false, stock_quantity: null },
      { id: 21, sku: 'TEE-M', type: 'variation', parent_id: 20, manage_stock: true, stock_quantity: 1 },
    ],
  })
  const woo = await createConnection(tenant.token, {
    platform: 'woocommerce',
    credentials: { siteUrl: `https://${wooHost}`, consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' },
    settings: { baseUrl: `https://${wooHost}`, registerWebhooks: false, pollMinutes: 1440, stockBuffer: 1 },
    routes: [wemalo.id],
  })
  return { tenant, wemalo, wemaloHost, apiKey, billbeeConnection, shop, shopify, wooHost, woo }
}

type Loop = Awaited<ReturnType<typeof warehouseLoop>>

const shopifyLevel = async (loop: Loop, sku: string) =>
  (await simulatorCall(loop.shop.shopDomain, '/_sim/inventory')).items.find((item: any) => item.sku === sku)?.levels[
    LOCATION
  ]

async function billbeeProduct(loop: Loop, sku: string) {
  const response = await fetch(`https://app.billbee.io/api/v1/products/${sku}?lookupBy=sku`, {
    headers: {
      'x-billbee-api-key': loop.apiKey,
      authorization: `Basic ${btoa('shop@example.com:secret')}`,
    },
  })
  return ((await response.json()) as any).Data
}

async function wooStock(loop: Loop, sku: string) {
  const response = await fetch(`https://${loop.wooHost}/wp-json/wc/v3/products?sku=${sku}`, {
    headers: { authorization: `Basic ${btoa('ck:cs')}` },
  })
  return ((await response.json()) as any[])[0]
}

/** Posts the stock_change callback Wemalo sends, as Wemalo would, to the Worker. */
async function stockChange(loop: Loop, sku: string, quantity: number) {
  await simulatorCall(loop.wemaloHost, '/_sim/stock', { articles: [{ sku, quantity }] })
  const { deliveries } = await simulatorCall(loop.wemaloHost, '/_sim/callbacks/send', {
    event: 'stock_change',
    payload: { type: 'INCOMING_STOCK', orderId: Math.floor(Math.random() * 1e6), externalId: sku },
    deliver: false,
  })
  expect(deliveries).toHaveLength(1)
  const url = new URL(deliveries[0].url)
  const response = await api(`${url.pathname}${url.search}`, {
    method: 'POST',
    headers: deliveries[0].headers,
    rawBody: deliveries[0].body,
  })
  expect(response.status).toBe(202)
}

describe('stock: Wemalo to every shop (ST1–ST5)', () => {
  it('ST1, ST3: a stock_change callback brings Wemalo stock to Billbee, Shopify and WooCommerce, each with its own call', async () => {
    const loop = await warehouseLoop()
    await stockChange(loop, 'KM-1', 10)

    // Billbee: absolute NewQuantity on the standard stock.
    await waitFor(async () => (await billbeeProduct(loop, 'KM-1'))?.StockCurrent === 10, { what: 'Billbee KM-1 = 10' })
    expect((await billbeeProduct(loop, 'TEE-M')).StockCurrent).toBe(4)
    // Shopify: on_hand = sellable + Shopify's own committed, so available = sellable.
    await waitFor(async () => (await shopifyLevel(loop, 'KM-1'))?.available === 10, { what: 'Shopify KM-1' })
    expect(await shopifyLevel(loop, 'KM-1')).toEqual({ available: 10, committed: 1, onHand: 11 })
    // WooCommerce: manage_stock on, buffer 1; the variation through its parent's batch.
    await waitFor(async () => (await wooStock(loop, 'KM-1'))?.stock_quantity === 9, { what: 'Woo KM-1' })
    expect(await wooStock(loop, 'KM-1')).toMatchObject({ manage_stock: true, stock_quantity: 9 })
    expect((await wooStock(loop, 'TEE-M')).stock_quantity).toBe(3)

    const shopifyCalls = (await simulatorCall(loop.shop.shopDomain, '/_sim/inventory')).mutations
    expect(shopifyCalls).toHaveLength(1)
    expect(shopifyCalls[0].key).toMatch(/^[0-9a-f]{32}$/)
    expect(shopifyCalls[0].input.setQuantities).toEqual([
      { inventoryItemId: expect.any(String), locationId: LOCATION, quantity: 11, changeFromQuantity: 4 },
    ])
    const wooCalls = (await simulatorCall(loop.wooHost, '/_sim/requests')).requests.filter(
      (entry: any) => entry.method === 'POST'
    )
    expect(wooCalls.map((entry: any) => entry.path).sort()).toEqual([
      '/wp-json/wc/v3/products/20/variations/batch',
      '/wp-json/wc/v3/products/batch',
    ])
    const billbeeCalls = (await billbee(loop.apiKey, '/_sim/requests')).requests.filter(
      (entry: any) => entry.path === '/api/v1/products/updatestockmultiple'
    )
    expect(billbeeCalls).toHaveLength(1)
    expect(billbeeCalls[0].body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sku: 'KM-1', NewQuantity: 10, AutosubtractReservedAmount: false }),
      ])
    )
    expect((await billbee(loop.apiKey, '/_sim/requests')).violations).toEqual([])
    expect((await simulatorCall(loop.wemaloHost, '/_sim/requests')).violations).toEqual([])

    // ST3: SKUs a channel does not know are skipped with the reason, not retried.
    const stock = await apiJson(`/api/v1/stock?sku=ONLY-WEMALO`, { token: loop.tenant.token })
    const channels = stock.items[0].channels
    expect(channels.find((entry: any) => entry.connectionId === loop.shopify.id).skippedReason).toMatch(
      /no inventory item/
    )
    expect(channels.find((entry: any) => entry.connectionId === loop.woo.id).skippedReason).toMatch(/no product/)
    const tee = (await apiJson(`/api/v1/stock?sku=TEE-M`, { token: loop.tenant.token })).items[0]
    expect(tee.channels.find((entry: any) => entry.connectionId === loop.shopify.id).skippedReason).toMatch(
      /not stocked at the location/
    )
  })

  it('ST4: a second run with unchanged stock writes nothing; a change writes only that SKU', async () => {
    const loop = await warehouseLoop()
    await stockChange(loop, 'KM-1', 10)
    await waitFor(async () => (await wooStock(loop, 'KM-1'))?.stock_quantity === 9, { what: 'first run' })
    await waitFor(async () => (await billbeeProduct(loop, 'KM-1'))?.StockCurrent === 10, { what: 'Billbee' })
    const before = (await billbee(loop.apiKey, '/_sim/requests')).requests.length

    await stockChange(loop, 'KM-1', 10)
    await waitFor(
      async () => {
        const jobs = await env.DB.prepare(`select status from sync_jobs where connection_id = ? and mode like 'stock%'`)
          .bind(loop.wemalo.id)
          .all<{ status: string }>()
        return jobs.results.length === 2 && jobs.results.every((job) => job.status === 'done')
      },
      { what: 'second run done' }
    )
    const after = (await billbee(loop.apiKey, '/_sim/requests')).requests
    expect(after.slice(before).filter((entry: any) => entry.path.includes('updatestock'))).toEqual([])

    await stockChange(loop, 'KM-1', 6)
    await waitFor(async () => (await billbeeProduct(loop, 'KM-1'))?.StockCurrent === 6, { what: 'Billbee KM-1 = 6' })
    const writes = (await billbee(loop.apiKey, '/_sim/requests')).requests.filter((entry: any) =>
      entry.path.includes('updatestockmultiple')
    )
    expect(writes.at(-1).body.map((model: any) => model.Sku)).toEqual(['KM-1'])
  })

  it('ST2: an order on Shopify lowers the figure on Billbee and WooCommerce', async () => {
    const loop = await warehouseLoop()
    await stockChange(loop, 'KM-1', 10)
    await waitFor(async () => (await billbeeProduct(loop, 'KM-1'))?.StockCurrent === 10, { what: 'Billbee = 10' })

    // A sale on Shopify: Shopify books it as committed, Kontor hands it to Wemalo, which reserves it.
    await simulatorCall(loop.shop.shopDomain, '/_sim/inventory/order', { sku: 'KM-1', quantity: 2 })
    const response = await deliverWebhook(
      loop.shopify.id,
      loop.shop.shopDomain,
      orderJson({ currency: 'EUR', line_items: [{ sku: 'KM-1', quantity: 2 }] })
    )
    expect(response.status).toBe(202)
    await waitFor(
      async () =>
        (await simulatorCall(loop.wemaloHost, '/_sim/stock')).articles.find((article: any) => article.sku === 'KM-1')
          .attributes[0].reserved === 2,
      { what: 'Wemalo reserved the order' }
    )
    await stockChange(loop, 'KM-1', 10)
    await waitFor(async () => (await billbeeProduct(loop, 'KM-1'))?.StockCurrent === 8, { what: 'Billbee = 8' })
    await waitFor(async () => (await wooStock(loop, 'KM-1'))?.stock_quantity === 7, { what: 'Woo = 7' })
    // Shopify: available stays the sellable 8, the order is in its committed.
    await waitFor(async () => (await shopifyLevel(loop, 'KM-1'))?.available === 8, { what: 'Shopify available 8' })
    expect(await shopifyLevel(loop, 'KM-1')).toEqual({ available: 8, committed: 3, onHand: 11 })
  })
})
