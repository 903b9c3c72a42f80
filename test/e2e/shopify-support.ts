/** Shared steps of the Shopify end-to-end tests: a simulated shop, a connection, signed deliveries. */
import { signShopifyWebhook, shopifyOrderPayload } from '../simulators/shopify'
import { api, createConnection, createTenant, simulatorCall, uniqueName } from '../helpers'

export const WEBHOOK_SECRET = 'shpss_test_secret'

export async function simulatedShop(options: { bucketSize?: number; leakPerSecond?: number; scopes?: string[] } = {}) {
  const shopDomain = `${uniqueName('shop')}.myshopify.com`
  const accessToken = `shpat_${crypto.randomUUID().replace(/-/g, '')}`
  const response = await fetch(`https://${shopDomain}/_sim/shop`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessToken, webhookSecret: WEBHOOK_SECRET, ...options }),
  })
  if (!response.ok) throw new Error(`simulator: ${response.status} ${await response.text()}`)
  return { shopDomain, accessToken }
}

export async function shopifySetup(
  options: { currency?: string; settings?: Record<string, unknown>; seedOrders?: number } = {}
) {
  const shop = await simulatedShop()
  if (options.seedOrders) await simulator(shop.shopDomain, '/_sim/orders', { generate: options.seedOrders })
  const tenant = await createTenant(options.currency ?? 'USD')
  const connection = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    settings: options.settings ?? {},
  })
  return { shop, tenant, connection }
}

export const simulator = simulatorCall

/** Posts a delivery the way Shopify does: raw JSON bytes, HMAC over exactly those bytes. */
export async function deliverWebhook(
  connectionId: string,
  shopDomain: string,
  rawBody: string,
  options: { topic?: string; webhookId?: string; secret?: string; signature?: string | null } = {}
) {
  const signature =
    options.signature === undefined
      ? await signShopifyWebhook(options.secret ?? WEBHOOK_SECRET, rawBody)
      : options.signature
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-shopify-topic': options.topic ?? 'orders/create',
    'x-shopify-shop-domain': shopDomain,
    'x-shopify-api-version': '2025-10',
    'x-shopify-webhook-id': options.webhookId ?? crypto.randomUUID(),
    'x-shopify-triggered-at': new Date().toISOString(),
  }
  if (signature) headers['x-shopify-hmac-sha256'] = signature
  return api(`/webhooks/shopify/${connectionId}`, { method: 'POST', headers, rawBody })
}

export function orderJson(overrides: Record<string, unknown> = {}) {
  return JSON.stringify(shopifyOrderPayload(overrides))
}

export { shopifyOrderPayload }
