/**
 * WooCommerce webhook verification. `X-WC-Webhook-Signature` is base64 HMAC-SHA256 of the raw
 * body with the webhook's secret, compared in constant time. The signature covers the body only:
 * every header (topic, source, delivery id) can be changed by whoever replays a signed body. So
 * the dedupe key is built from the signed body alone — the resource kind its shape shows, its id
 * and `date_modified_gmt` — and a topic header that does not agree with the body is ignored. A
 * repeat of the same state is a duplicate, a newer state is not. `*.deleted` bodies are `{"id":N}`
 * only. The unsigned form-encoded ping gets a plain 200.
 */
import { sha256Hex, verifyBase64HmacSha256 } from '../../core/crypto'
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
  let resource: unknown
  try {
    resource = JSON.parse(decoder.decode(body))
  } catch {
    return { kind: 'ignored', reason: 'the signed body is not JSON' }
  }
  const [kind, action] = topic.split('.') as [WooResourceKind, string]
  const shape = wooResourceShape(resource)
  const id = isRecord(resource) ? resource.id : undefined
  if ((typeof id !== 'number' && typeof id !== 'string') || String(id) === '')
    return { kind: 'ignored', reason: `${topic}: the signed body has no resource id` }
  if (action === 'deleted') {
    // WooCommerce sends only the id of a deleted resource; a full resource under a delete topic was replayed.
    if (shape !== 'id-only') return { kind: 'ignored', reason: `${topic}: the signed body is not a deletion` }
    return { kind: 'accepted', deliveryKey: `deleted|${String(id)}`, topic }
  }
  if (shape !== kind) {
    return {
      kind: 'ignored',
      reason: `${topic}: the signed body is ${shape === 'id-only' ? 'a deletion' : `not the ${kind} the topic names`}`,
    }
  }
  const modified = (resource as { date_modified_gmt?: unknown }).date_modified_gmt
  // Without a modification time (a customer never changed), the signed bytes themselves are the version.
  const version =
    typeof modified === 'string' && modified ? modified : `sha256:${await sha256Hex(decoder.decode(body))}`
  return { kind: 'accepted', deliveryKey: `${kind}|${String(id)}|${version}`, topic }
}

type WooResourceKind = 'order' | 'product' | 'customer'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Which resource a signed body is, by the fields WooCommerce's REST v3 schema gives each: an
 * order has `line_items`, a product `type`, `sku` and `price`, a customer `email`,
 * `role` and `username`. `{"id": N}` alone is a deletion.
 */
export function wooResourceShape(body: unknown): WooResourceKind | 'id-only' | 'unknown' {
  if (!isRecord(body)) return 'unknown'
  const keys = Object.keys(body)
  if (keys.length === 1 && keys[0] === 'id') return 'id-only'
  if (Array.isArray(body.line_items)) return 'order'
  if ('line_items' in body) return 'unknown'
  if (typeof body.type === 'string' && 'sku' in body && 'price' in body) return 'product'
  if ('email' in body && 'role' in body && 'username' in body) return 'customer'
  return 'unknown'
}
