/**
 * WooCommerce webhook verification. `X-WC-Webhook-Signature` is base64 HMAC-SHA256 of the raw
 * body with the webhook's secret, compared in constant time. WooCommerce has no stable delivery
 * id, so the dedupe key is (source, topic, resource id, date_modified_gmt): a repeat of the same
 * state is a duplicate, a newer state is not. The unsigned form-encoded ping gets a plain 200.
 */
import { verifyBase64HmacSha256 } from '../../core/crypto'
import type { WebhookRequest, WebhookVerdict } from '../types'
import type { WooCredentials } from './schemas'

export const WOO_TOPICS =
  /^(order\.(created|updated|deleted|restored)|product\.(created|updated|deleted|restored)|customer\.(created|updated|deleted))$/

const decoder = new TextDecoder()

function isPing(request: WebhookRequest): boolean {
  return (
    !request.headers.get('x-wc-webhook-signature') &&
    (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded') &&
    /^webhook_id=\d+$/.test(decoder.decode(request.body).trim())
  )
}

export async function verifyWooWebhook(request: WebhookRequest, credentials: WooCredentials): Promise<WebhookVerdict> {
  if (isPing(request)) return { kind: 'ping' }
  const { headers, body } = request
  const signature = headers.get('x-wc-webhook-signature')
  if (!signature) return { kind: 'unauthorized', reason: 'missing X-WC-Webhook-Signature' }
  if (!(await verifyBase64HmacSha256(body, signature, [credentials.webhookSecret]))) {
    return { kind: 'unauthorized', reason: 'signature mismatch' }
  }
  const topic = (headers.get('x-wc-webhook-topic') ?? '').toLowerCase()
  if (!WOO_TOPICS.test(topic)) return { kind: 'ignored', reason: `topic ${topic || '(none)'} is not imported` }
  let resource: { id?: unknown; date_modified_gmt?: unknown }
  try {
    resource = JSON.parse(decoder.decode(body))
  } catch {
    return { kind: 'ignored', reason: 'the signed body is not JSON' }
  }
  const source = headers.get('x-wc-webhook-source') ?? credentials.siteUrl
  // A deleted resource has only its id: each delivery counts (the delivery id is fresh per delivery).
  const version = resource.date_modified_gmt ?? headers.get('x-wc-webhook-delivery-id') ?? crypto.randomUUID()
  return { kind: 'accepted', deliveryKey: `${source}|${topic}|${String(resource.id)}|${String(version)}`, topic }
}
