/**
 * WM2 callbacks. Wemalo signs nothing: the URL registered with `POST /webhook/:event` carries the
 * connection's key (`?key=…`, compared in constant time) and the event name, and the `token`
 * registered with the hook is checked too wherever a callback carries one (a body field `token`,
 * a `token` header or `Authorization`) — the apidoc does not say which Wemalo uses.
 * Delivery keys: `trackingnumber_added|<goods order>|<parcel>`. A `status_update` carries no
 * status and no delivery id: two status changes send the same bytes, so each delivery gets a key
 * of its own and is read (a repeat costs one getStatus; its reports are keyed and recorded once),
 * where any dedupe on the body would lose the second change. A body that does carry a status is
 * deduplicated on order, status and body digest.
 */
import { bytesToHex, timingSafeEqual } from '../../core/crypto'
import type { ConnectorContext, WebhookRegistration, WebhookRequest, WebhookVerdict } from '../types'
import { wemaloRequest } from './client'
import { readCallbackBody } from './reports'
import { type WemaloCredentials, wemaloHooksSchema, type WemaloSettings } from './schemas'
import { looksLikeStockChange, stockChangeVerdict } from './stock-change'

export const WEMALO_EVENTS = ['status_update', 'trackingnumber_added'] as const
type WemaloEvent = (typeof WEMALO_EVENTS)[number]

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const same = (a: string, b: string) => timingSafeEqual(encoder.encode(a), encoder.encode(b))

export function wemaloWebhookUrl(webhookUrl: string, credentials: WemaloCredentials): string {
  const url = new URL(webhookUrl)
  url.searchParams.set('key', credentials.webhookSecret)
  return url.href
}

/** The URL registered for one event: the key and the event name in the query. */
export function wemaloEventUrl(webhookUrl: string, credentials: WemaloCredentials, event: string): string {
  const url = new URL(wemaloWebhookUrl(webhookUrl, credentials))
  url.searchParams.set('event', event)
  return url.href
}

function presentedTokens(request: WebhookRequest, body: Record<string, unknown> | null): string[] {
  const tokens: string[] = []
  if (body && typeof body.token === 'string') tokens.push(body.token)
  const header = request.headers.get('token')
  if (header) tokens.push(header)
  const authorization = request.headers.get('authorization')
  if (authorization) tokens.push(authorization.replace(/^(JWT|Bearer|Token)\s+/i, ''))
  return tokens
}

function topicOf(url: URL, body: Record<string, unknown>): string | null {
  const named = url.searchParams.get('event') ?? (typeof body.event === 'string' ? body.event : null)
  if (named) return named
  if (body.goodsOrderParcelId !== undefined) return 'trackingnumber_added'
  if (looksLikeStockChange(body)) return 'stock_change'
  if (body.externalId !== undefined && body.orderId !== undefined) return 'status_update'
  return null
}

export async function verifyWemaloWebhook(
  request: WebhookRequest,
  credentials: WemaloCredentials
): Promise<WebhookVerdict> {
  const url = new URL(request.url)
  if (!same(url.searchParams.get('key') ?? '', credentials.webhookSecret)) {
    return { kind: 'unauthorized', reason: 'missing or wrong key in the webhook URL' }
  }
  const body = readCallbackBody(decoder.decode(request.body))
  if (presentedTokens(request, body).some((token) => !same(token, credentials.webhookSecret))) {
    return { kind: 'unauthorized', reason: 'the callback carries a token that is not the registered one' }
  }
  if (!body) return { kind: 'ignored', reason: 'the body is neither JSON nor a form' }
  const topic = topicOf(url, body)
  if (topic === 'trackingnumber_added') {
    if (body.goodsOrderId === undefined || body.goodsOrderParcelId === undefined) {
      return { kind: 'ignored', reason: 'trackingnumber_added without goodsOrderId or goodsOrderParcelId' }
    }
    return {
      kind: 'accepted',
      topic,
      deliveryKey: `trackingnumber_added|${String(body.goodsOrderId)}|${String(body.goodsOrderParcelId)}`,
    }
  }
  if (topic === 'status_update') {
    if (body.externalId === undefined) return { kind: 'ignored', reason: 'status_update without externalId' }
    const digest = bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', request.body))).slice(0, 32)
    const status = body.statusName ?? body.statusId
    const distinct = status === undefined ? `${digest}|${crypto.randomUUID()}` : `${String(status)}|${digest}`
    return { kind: 'accepted', topic, deliveryKey: `status_update|${String(body.externalId)}|${distinct}` }
  }
  if (topic === 'stock_change') return stockChangeVerdict(body)
  return { kind: 'ignored', reason: `Wemalo event ${topic ?? 'unknown'} is not imported` }
}

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

export const wemaloWebhooks: WebhookRegistration<WemaloCredentials, WemaloSettings> = {
  async register(context: Context, webhookUrl: string) {
    if (!context.settings.registerWebhooks) return []
    const registered: string[] = []
    for (const event of WEMALO_EVENTS) {
      const email = context.settings.webhookEmail ?? ''
      await wemaloRequest(context, `/webhook/${event}`, {
        method: 'POST',
        // The apidoc lists `email`, its request example says `mail`: both are sent.
        json: {
          payload: wemaloEventUrl(webhookUrl, context.credentials, event),
          token: context.credentials.webhookSecret,
          email,
          mail: email,
        },
      })
      registered.push(event)
    }
    return registered
  },

  async unregister(context: Context, registeredIds: string[]) {
    for (const event of registeredIds) {
      await wemaloRequest(context, `/webhook/${encodeURIComponent(event)}`, { method: 'DELETE', accept: [404] })
    }
  },

  async active(context: Context, registeredIds: string[], webhookUrl: string) {
    const response = await wemaloRequest(context, '/webhook')
    const { hooks } = wemaloHooksSchema.parse(response.json())
    return registeredIds.filter((event) =>
      hooks.some(
        (hook) =>
          hook.event === event &&
          hook.payload === wemaloEventUrl(webhookUrl, context.credentials, event as WemaloEvent) &&
          (!hook.token || same(hook.token, context.credentials.webhookSecret))
      )
    )
  },
}
