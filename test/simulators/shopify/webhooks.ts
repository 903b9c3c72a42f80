/**
 * The shop's webhook subscriptions as the Admin REST API keeps them: `GET/POST webhooks.json`
 * (filters `address`, `topic`, `since_id`, `limit` ≤ 250), `GET/PUT/DELETE webhooks/{id}.json`,
 * `webhooks/count.json`. Shopify refuses a second subscription of a topic to one address (422
 * "for this topic has already been taken") and an unknown topic (422). It deletes a subscription
 * after 8 failed deliveries in a row: the simulator's `DELETE /_sim/webhooks/:id` does that.
 */
import { ApiError } from './listing'

type Json = Record<string, unknown>

export type Subscriptions = { byId: Map<string, Json>; nextId: number }

export const newSubscriptions = (): Subscriptions => ({
  byId: new Map(),
  nextId: 1_100_000_000 + Math.floor(Math.random() * 1_000_000) * 100,
})

/** Topics the simulator accepts (REST names), a subset of Shopify's WebhookSubscriptionTopic. */
export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/edited',
  'orders/fulfilled',
  'orders/partially_fulfilled',
  'orders/paid',
  'orders/delete',
  'refunds/create',
  'products/create',
  'products/update',
  'products/delete',
  'customers/create',
  'customers/update',
  'customers/delete',
  'app/uninstalled',
  'bulk_operations/finish',
]

function validAddress(address: unknown): address is string {
  if (typeof address !== 'string') return false
  try {
    return ['https:', 'http:'].includes(new URL(address).protocol)
  } catch {
    return false
  }
}

function sorted(subscriptions: Subscriptions): Json[] {
  return [...subscriptions.byId.values()].sort((a, b) => Number(a.id) - Number(b.id))
}

/** The Admin API's answer for a webhooks route, or null when the route is not one of them. */
export function handleWebhooks(
  subscriptions: Subscriptions,
  method: string,
  route: string,
  url: URL,
  body: unknown,
  version: string
): { status: number; body: unknown } | null {
  const params = url.searchParams
  let match: RegExpExecArray | null
  if (method === 'GET' && (route === 'webhooks.json' || route === 'webhooks/count.json')) {
    const limit = Number(params.get('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 250)
      throw new ApiError(400, { errors: { limit: 'must be between 1 and 250' } })
    const sinceId = Number(params.get('since_id') ?? 0)
    const found = sorted(subscriptions).filter(
      (webhook) =>
        (!params.get('address') || webhook.address === params.get('address')) &&
        (!params.get('topic') || webhook.topic === params.get('topic')) &&
        Number(webhook.id) > sinceId
    )
    if (route === 'webhooks/count.json') return { status: 200, body: { count: found.length } }
    return { status: 200, body: { webhooks: found.slice(0, limit) } }
  }
  if (method === 'POST' && route === 'webhooks.json') {
    const input = (body as { webhook?: Json } | undefined)?.webhook
    if (!input || typeof input !== 'object')
      throw new ApiError(400, { errors: { webhook: 'Required parameter missing or invalid' } })
    const topic = input.topic
    if (typeof topic !== 'string' || !SHOPIFY_TOPICS.includes(topic))
      throw new ApiError(422, {
        errors: { topic: [`Invalid topic specified: ${String(topic)}. Topics allowed: ${SHOPIFY_TOPICS.join(', ')}`] },
      })
    if (!validAddress(input.address)) throw new ApiError(422, { errors: { address: ['is invalid'] } })
    if (input.format !== undefined && input.format !== 'json' && input.format !== 'xml')
      throw new ApiError(422, { errors: { format: ['is not included in the list'] } })
    if (sorted(subscriptions).some((webhook) => webhook.topic === topic && webhook.address === input.address))
      throw new ApiError(422, { errors: { address: ['for this topic has already been taken'] } })
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, '-00:00')
    const webhook: Json = {
      id: subscriptions.nextId++,
      address: input.address,
      topic,
      created_at: now,
      updated_at: now,
      format: input.format ?? 'json',
      fields: Array.isArray(input.fields) ? input.fields : [],
      metafield_namespaces: [],
      api_version: version,
      private_metafield_namespaces: [],
    }
    subscriptions.byId.set(String(webhook.id), webhook)
    return { status: 201, body: { webhook } }
  }
  if ((match = /^webhooks\/(\d+)\.json$/.exec(route))) {
    const webhook = subscriptions.byId.get(match[1])
    if (!webhook) return { status: 404, body: { errors: 'Not Found' } }
    if (method === 'GET') return { status: 200, body: { webhook } }
    if (method === 'DELETE') {
      subscriptions.byId.delete(match[1])
      return { status: 200, body: {} }
    }
    if (method === 'PUT') {
      const input = (body as { webhook?: Json } | undefined)?.webhook ?? {}
      if (input.address !== undefined) {
        if (!validAddress(input.address)) throw new ApiError(422, { errors: { address: ['is invalid'] } })
        webhook.address = input.address
      }
      webhook.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, '-00:00')
      return { status: 200, body: { webhook } }
    }
  }
  return null
}
