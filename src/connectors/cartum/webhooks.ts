/**
 * Kontor's hooks at a Cartum (Horoshop) shop. `hooks/subscribe {token, event, target_url}`
 * answers HTTP 201 with `{"id": 1}` outside the usual envelope; `hooks/unSubscribe {token, id,
 * target_url}` answers HTTP 410 once the hook is gone (third-party clients; the official page
 * documents only subscribe). The target URL is the webhook URL with the connection's `?key=`,
 * since Cartum signs nothing. A shop allows at most 5 hooks per event. Only `order_created` is
 * subscribed: it is the one order event the official docs list; status changes are read by the poll.
 * The API has no way to list hooks, so the health check cannot see a hook Cartum dropped:
 * `active` returns the registered ids as they are.
 */
import { FinalError } from '../../core/errors'
import type { HttpResponse } from '../../core/http-client'
import type { ConnectorContext, WebhookRegistration } from '../types'
import { CARTUM_UNAUTHORIZED, cartumToken } from './client'
import type { CartumCredentials, CartumSettings } from './schemas'

export const CARTUM_SUBSCRIBED_EVENTS = ['order_created']

type Context = ConnectorContext<CartumCredentials, CartumSettings>

/** Every 4xx but 429 is read here: Cartum's answers outside the envelope carry their own message. */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, index) => 400 + index).filter((status) => status !== 429)

function body(response: HttpResponse): Record<string, unknown> | null {
  try {
    const parsed = response.json()
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

function describe(response: HttpResponse): string {
  const parsed = body(response)
  const inner = parsed?.response as { message?: unknown } | undefined
  const message = inner?.message ?? parsed?.message ?? parsed?.error
  const status = typeof parsed?.status === 'string' ? `${parsed.status} ` : ''
  return `HTTP ${response.status} ${status}${typeof message === 'string' ? message : response.text.slice(0, 200)}`.trim()
}

/** One `hooks/*` call with the session token, renewed once when Cartum says it is no longer valid. */
async function callHooks(context: Context, fn: string, params: Record<string, unknown>): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt++) {
    const token = await cartumToken(context, attempt > 1)
    const response = await context.http.request(`/api/${fn}/`, {
      json: { token, ...params },
      accept: [410, ...CLIENT_ERRORS],
    })
    const status = body(response)?.status
    if (attempt === 1 && typeof status === 'string' && CARTUM_UNAUTHORIZED.includes(status)) continue
    return response
  }
}

/** Ids are kept as `<event>:<hook id>`. */
function hookId(registered: string): string {
  return registered.slice(registered.lastIndexOf(':') + 1)
}

async function unsubscribe(context: Context, registeredIds: string[], targetUrl: string) {
  for (const registered of registeredIds) {
    const id = Number(hookId(registered))
    const response = await callHooks(context, 'hooks/unSubscribe', { id, target_url: targetUrl })
    const status = body(response)?.status
    const gone =
      response.status === 410 ||
      response.status === 404 ||
      (response.status < 300 && (status === undefined || status === 'OK'))
    if (!gone) throw new FinalError(`Cartum hooks/unSubscribe ${id}: ${describe(response)}`)
  }
}

export const cartumWebhooks: WebhookRegistration<CartumCredentials, CartumSettings> = {
  async register(context, webhookUrl) {
    const ids: string[] = []
    try {
      for (const event of CARTUM_SUBSCRIBED_EVENTS) {
        const response = await callHooks(context, 'hooks/subscribe', { event, target_url: webhookUrl })
        const id = body(response)?.id
        if (response.status >= 300 || (typeof id !== 'number' && typeof id !== 'string'))
          throw new FinalError(`Cartum hooks/subscribe ${event}: ${describe(response)}`)
        ids.push(`${event}:${String(id)}`)
      }
    } catch (error) {
      // Each event allows only 5 hooks: none is left behind half-registered.
      await unsubscribe(context, ids, webhookUrl).catch(() => undefined)
      throw error
    }
    return ids
  },

  async unregister(context, registeredIds, webhookUrl) {
    // Cartum needs the exact target URL with the id; without it nothing can be removed.
    if (!webhookUrl) throw new FinalError('Cartum hooks/unSubscribe needs the registered target URL')
    await unsubscribe(context, registeredIds, webhookUrl)
  },

  // The API cannot list hooks: what was registered is taken as still there.
  active: async (_context, registeredIds) => registeredIds,
}
