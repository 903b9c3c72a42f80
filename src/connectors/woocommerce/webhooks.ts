/**
 * Kontor's webhooks at a WooCommerce site (REST v3 `/webhooks`): one per order, product and
 * customer topic, delivered to the connection's webhook URL and signed with its `webhookSecret`.
 * WooCommerce never retries a delivery and sets a webhook to `disabled` after repeated failures
 * (more than 5 in a row); the cron's health check (`active`) finds a webhook that is no longer
 * `active` (disabled, paused, deleted, or pointing elsewhere) and it is registered again.
 * Creating a webhook makes WooCommerce send an unsigned ping, which the intake answers with 200.
 */
import type { ConnectorContext, WebhookRegistration } from '../types'
import { wooHeaders } from './client'
import type { WooCredentials, WooSettings } from './schemas'

export const WOO_SUBSCRIBED_TOPICS = [
  'order.created',
  'order.updated',
  'order.deleted',
  'order.restored',
  'product.created',
  'product.updated',
  'product.deleted',
  'customer.created',
  'customer.updated',
  'customer.deleted',
]

const API = '/wp-json/wc/v3'

type Context = ConnectorContext<WooCredentials, WooSettings>
type WooWebhook = { id: string | number; status: string; topic: string; delivery_url: string }

async function deleteWebhooks(context: Context, ids: string[]) {
  for (const id of ids) {
    // Without force=true WooCommerce answers 501: webhooks cannot be trashed.
    await context.http.request(`${API}/webhooks/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      query: { force: 'true' },
      headers: wooHeaders(context.credentials),
      accept: [404],
    })
  }
}

export const wooWebhooks: WebhookRegistration<WooCredentials, WooSettings> = {
  async register(context, webhookUrl) {
    const ids: string[] = []
    try {
      for (const topic of WOO_SUBSCRIBED_TOPICS) {
        const response = await context.http.request(`${API}/webhooks`, {
          json: {
            name: `Kontor ${topic}`,
            topic,
            delivery_url: webhookUrl,
            secret: context.credentials.webhookSecret,
            status: 'active',
          },
          headers: wooHeaders(context.credentials),
        })
        ids.push(String(response.json<WooWebhook>().id))
      }
    } catch (error) {
      // Nothing half-registered is left behind (WooCommerce would deliver each topic once per webhook).
      await deleteWebhooks(context, ids).catch(() => undefined)
      throw error
    }
    return ids
  },

  unregister: (context, registeredIds) => deleteWebhooks(context, registeredIds),

  async active(context, registeredIds, webhookUrl) {
    if (!registeredIds.length) return []
    const response = await context.http.request(`${API}/webhooks`, {
      query: { include: registeredIds.join(','), per_page: 100 },
      headers: wooHeaders(context.credentials),
    })
    const webhooks = response.json<WooWebhook[]>()
    return registeredIds.filter((id) =>
      webhooks.some(
        (webhook) => String(webhook.id) === id && webhook.status === 'active' && webhook.delivery_url === webhookUrl
      )
    )
  },
}
