/**
 * Shopify webhook verification: base64 HMAC-SHA256 of the raw body with the app's secret (the
 * previous secret too, during a rotation), compared in constant time; the shop domain header
 * must name the connection's shop; `X-Shopify-Webhook-Id` is the dedupe key. Header names are
 * case-insensitive (HTTP/2 lowercases them), which `Headers` already handles.
 */
import { verifyBase64HmacSha256 } from '../../core/crypto'
import type { WebhookRequest, WebhookVerdict } from '../types'
import { SHOPIFY_PRIVACY_TOPICS } from './privacy'
import type { ShopifyCredentials } from './schemas'

/** The topics Kontor imports (REST names; GraphQL's ORDERS_CREATE style is accepted too). */
export const SHOPIFY_ORDER_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/edited',
  'orders/fulfilled',
  'orders/partially_fulfilled',
  'orders/paid',
]

/** Product topics: each variant is an article a warehouse destination must know (WM4). */
export const SHOPIFY_PRODUCT_TOPICS = ['products/create', 'products/update']

export function normaliseShopifyTopic(topic: string): string {
  return topic.includes('/') ? topic.toLowerCase() : topic.toLowerCase().replace('_', '/')
}

export async function verifyShopifyWebhook(
  request: WebhookRequest,
  credentials: ShopifyCredentials
): Promise<WebhookVerdict> {
  const { headers, body } = request
  const signature = headers.get('x-shopify-hmac-sha256')
  if (!signature) return { kind: 'unauthorized', reason: 'missing X-Shopify-Hmac-Sha256' }
  if (!body.byteLength) return { kind: 'unauthorized', reason: 'empty body' }
  const valid = await verifyBase64HmacSha256(body, signature, [
    credentials.webhookSecret,
    credentials.previousWebhookSecret,
  ])
  if (!valid) return { kind: 'unauthorized', reason: 'signature mismatch' }
  const shop = headers.get('x-shopify-shop-domain')?.trim().toLowerCase()
  if (shop !== credentials.shopDomain)
    return { kind: 'unauthorized', reason: `shop domain ${shop ?? '(none)'} is not this connection's` }
  const webhookId = headers.get('x-shopify-webhook-id')
  if (!webhookId) return { kind: 'unauthorized', reason: 'missing X-Shopify-Webhook-Id' }
  const topic = normaliseShopifyTopic(headers.get('x-shopify-topic') ?? '')
  // The mandatory compliance topics arrive at the same URL, signed the same way.
  if (![...SHOPIFY_ORDER_TOPICS, ...SHOPIFY_PRODUCT_TOPICS, ...SHOPIFY_PRIVACY_TOPICS].includes(topic))
    return { kind: 'ignored', reason: `topic ${topic || '(none)'} is not imported` }
  return { kind: 'accepted', deliveryKey: webhookId, topic }
}
