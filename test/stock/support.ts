/** A tenant with a Wemalo warehouse and Billbee, Shopify and WooCommerce channels routed to it, for the stock tests and the bench. */
import { env } from 'cloudflare:workers'
import { createConnection, createTenant, simulatorCall, uniqueName, waitFor } from '../helpers'
import { simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'

export const WEMALO_TOKEN = 'wemalo-stock-token'
export const LOCATION = 'gid://shopify/Location/1001'

export async function billbeeSim(account: string, path: string, body?: unknown) {
  const response = await fetch(`https://app.billbee.io${path}${path.includes('?') ? '&' : '?'}account=${account}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<any>
}

/** Every SKU in Wemalo (with its quantity) and known to each channel. */
export async function stockTenant(stock: { sku: string; quantity: number }[], options: { wooBuffer?: number } = {}) {
  const wemaloHost = `${uniqueName('w')}.wemalo.test`
  await simulatorCall(wemaloHost, '/_sim/account', { token: WEMALO_TOKEN, maxCall: 1_000_000 })
  await simulatorCall(wemaloHost, '/_sim/stock', { articles: stock })
  const tenant = await createTenant('EUR')
  const wemalo = await createConnection(tenant.token, {
    platform: 'wemalo',
    credentials: { token: WEMALO_TOKEN },
    settings: { baseUrl: `https://${wemaloHost}/v1`, webhookEmail: 'ops@example.com', registerWebhooks: false },
  })
  const apiKey = uniqueName('key')
  await billbeeSim(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
  await billbeeSim(apiKey, '/_sim/products', {
    products: stock.map((item, index) => ({ Id: index + 1, SKU: item.sku, EAN: null, StockCurrent: 0 })),
  })
  const billbee = await createConnection(tenant.token, {
    platform: 'billbee',
    credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
    settings: { ordersTag: 'kontor', pollMinutes: 1440 },
    routes: [wemalo.id],
  })
  const shop = await simulatedShop({ bucketSize: 100_000, leakPerSecond: 100_000 })
  await simulatorCall(shop.shopDomain, '/_sim/inventory', {
    items: stock.map((item) => ({ sku: item.sku, available: 0, committed: 0 })),
  })
  const shopify = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    settings: { stockLocationId: LOCATION, registerWebhooks: false, pollMinutes: 1440 },
    routes: [wemalo.id],
  })
  const wooHost = `${uniqueName('site')}.woo.example`
  await simulatorCall(wooHost, '/_sim/site', { consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' })
  await simulatorCall(wooHost, '/_sim/products', {
    products: stock.map((item, index) => ({ id: 100 + index, sku: item.sku, type: 'simple', parent_id: 0 })),
  })
  const woo = await createConnection(tenant.token, {
    platform: 'woocommerce',
    credentials: { siteUrl: `https://${wooHost}`, consumerKey: 'ck', consumerSecret: 'cs', webhookSecret: 's' },
    settings: {
      baseUrl: `https://${wooHost}`,
      registerWebhooks: false,
      pollMinutes: 1440,
      stockBuffer: options.wooBuffer ?? 0,
    },
    routes: [wemalo.id],
  })
  return { tenant, wemalo, wemaloHost, apiKey, billbee, shop, shopify, wooHost, woo }
}
export type StockTenant = Awaited<ReturnType<typeof stockTenant>>

/** Starts a stock run as the cron or a stock_change would, and waits until its push is done. */
export async function runStock(loop: StockTenant, mode: 'changes' | 'full' = 'changes') {
  const started = new Date().toISOString()
  await env.DISPATCH.send({ type: 'stock-run', warehouseId: loop.wemalo.id, mode })
  await waitFor(
    async () => {
      const { results } = await env.DB.prepare(
        `select status from sync_jobs where connection_id = ? and mode like 'stock%' and started_at >= ?`
      )
        .bind(loop.wemalo.id, started)
        .all<{ status: string }>()
      return results.length > 0 && results.every((job) => job.status === 'done')
    },
    { what: 'stock run', timeoutMs: 120_000 }
  )
}

/** Write calls each channel received so far. */
export async function writeCalls(loop: StockTenant) {
  const billbee = (await billbeeSim(loop.apiKey, '/_sim/requests')).requests.filter(
    (entry: any) => entry.path === '/api/v1/products/updatestockmultiple'
  ).length
  const shopify = (await simulatorCall(loop.shop.shopDomain, '/_sim/inventory')).mutations.length
  const woo = (await simulatorCall(loop.wooHost, '/_sim/requests')).requests.filter(
    (entry: any) => entry.method === 'POST' && entry.path.endsWith('/batch')
  ).length
  return { billbee, shopify, woo }
}

/** An order of a channel routed to the warehouse that the warehouse has not accepted yet. */
export async function orderInFlight(loop: StockTenant, connectionId: string, sku: string, quantity: number) {
  const id = `ord_${crypto.randomUUID().slice(0, 12)}`
  const now = new Date().toISOString()
  const lines = [
    {
      id: `${id}:0`,
      externalId: null,
      productId: null,
      sku,
      code: null,
      name: sku,
      quantity,
      currentQuantity: null,
      unitPrice: '1.00',
      total: '1.00',
    },
  ]
  await env.DB.batch([
    env.DB.prepare(
      `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
        status, total, lines, content_hash, imported_at, changed_at) values (?, ?, ?, 'billbee', ?, ?, ?, ?, 'EUR', 'new', '1.00', ?, 'x', ?, ?)`
    ).bind(id, loop.tenant.id, connectionId, id, id, now, now, JSON.stringify(lines), now, now),
    env.DB.prepare(
      `insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at) values (?, ?, ?, ?, 'pending', ?, ?)`
    ).bind(`hnd_${id}`, loop.tenant.id, id, loop.wemalo.id, now, now),
  ])
  return { orderId: id, handoverId: `hnd_${id}` }
}
