/**
 * WM2 callbacks. Wemalo signs nothing: the URL registered with `POST /webhook/:event` carries the
 * connection's key (`?key=…`, compared in constant time) and the event name (`&event=…`), and the
 * event is read from there only: the bodies do not tell the events apart (a `stock_change` carries
 * `orderId` and `externalId` as a `status_update` does). A hook registered without the event is
 * ignored and registered again by the cron's webhook check. The `token`
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
import { readStockChange } from './stock-change'

export const WEMALO_EVENTS = ['status_update', 'trackingnumber_added', 'stock_change'] as const
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
  const topic = url.searchParams.get('event')
  if (!topic) {
    return {
      kind: 'ignored',
      reason:
        'the callback URL names no event (a hook registered without `&event=`; the webhook check registers it again)',
    }
  }
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
  if (topic === 'stock_change') {
    // A booking of stock: ST1 starts a stock run, RT1 reads the booked returns. Both reads are
    // idempotent, and two bookings of one return send the same bytes, so no delivery is taken
    // for a duplicate of another.
    const change = readStockChange(body)
    if (!change.type) return { kind: 'ignored', reason: 'stock_change without type' }
    return {
      kind: 'accepted',
      topic,
      deliveryKey: `stock_change|${change.type}|${change.orderId ?? '-'}|${crypto.randomUUID()}`,
    }
  }
  return { kind: 'ignored', reason: `Wemalo event ${topic} is not imported` }
}

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

export const wemaloWebhooks: WebhookRegistration<WemaloCredentials, WemaloSettings> = {
  async register(context: Context, webhookUrl: string) {
    if (!context.settings.registerWebhooks) return []
    const registered: string[] = []
    for (const event of WEMALO_EVENTS) {
      // Required for new connections (newWemaloSettingsSchema); older ones may still lack it.
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

  // Every event Kontor registers today: a registration from before one was added is made again.
  current: (_context: Context, registeredIds: string[]) =>
    WEMALO_EVENTS.every((event) => registeredIds.includes(event)),

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
