/**
 * Cartum webhooks arrive as HTTP PUT with the order as body and no signature at all. The URL
 * registered with `hooks/subscribe` carries the connection's key (`?key=…`), compared in
 * constant time. With no delivery id either, the dedupe key is the order number plus a digest
 * of the body: the same state twice is a duplicate, a changed order is not.
 */
import { bytesToHex, timingSafeEqual } from '../../core/crypto'
import type { WebhookRequest, WebhookVerdict } from '../types'
import type { CartumCredentials } from './schemas'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function cartumWebhookUrl(webhookUrl: string, credentials: CartumCredentials): string {
  return `${webhookUrl}?key=${encodeURIComponent(credentials.webhookSecret)}`
}

export async function verifyCartumWebhook(
  request: WebhookRequest,
  credentials: CartumCredentials
): Promise<WebhookVerdict> {
  const key = new URL(request.url).searchParams.get('key') ?? ''
  if (!timingSafeEqual(encoder.encode(key), encoder.encode(credentials.webhookSecret))) {
    return { kind: 'unauthorized', reason: 'missing or wrong key in the webhook URL' }
  }
  let order: { order_id?: unknown }
  try {
    order = JSON.parse(decoder.decode(request.body))
  } catch {
    return { kind: 'ignored', reason: 'the body is not JSON' }
  }
  if (order.order_id === undefined) return { kind: 'ignored', reason: 'not an order event' }
  const digest = bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', request.body)))
  return { kind: 'accepted', deliveryKey: `${String(order.order_id)}|${digest}`, topic: 'order' }
}
