/**
 * Kontor's webhook subscriptions at a Shopify shop, through the Admin REST API: one per order
 * and product topic Kontor imports, pointing at the connection's webhook URL (`POST /webhooks.json`). Shopify
 * deletes a subscription made through the API after 8 failed deliveries in a row; the cron's
 * health check (`active`) then finds it missing and it is subscribed again. The three mandatory
 * compliance topics cannot be subscribed through the API: they belong in the app's configuration
 * (shopify.app.toml `compliance_topics`), see the README.
 */
import type { ConnectorContext, WebhookRegistration } from '../types'
import { shopifyHeaders } from './client'
import type { ShopifyCredentials, ShopifySettings } from './schemas'

/** The topics Kontor subscribes to (the webhook intake also accepts a few more). */
export const SHOPIFY_SUBSCRIBED_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/edited',
  'products/create',
  'products/update',
]

type Context = ConnectorContext<ShopifyCredentials, ShopifySettings>
type Subscription = { id: string | number; topic: string; address: string }

const path = (context: Context, rest: string) => `/admin/api/${context.settings.apiVersion}/${rest}`

/** The shop's subscriptions to this address (Shopify filters on `address`; checked here as well). */
async function subscriptionsTo(context: Context, address: string): Promise<Subscription[]> {
  const response = await context.http.request(path(context, 'webhooks.json'), {
    query: { address, limit: 250 },
    headers: shopifyHeaders(context.credentials),
  })
  return response.json<{ webhooks: Subscription[] }>().webhooks.filter((webhook) => webhook.address === address)
}

async function unsubscribe(context: Context, ids: string[]) {
  for (const id of ids) {
    await context.http.request(path(context, `webhooks/${encodeURIComponent(id)}.json`), {
      method: 'DELETE',
      headers: shopifyHeaders(context.credentials),
      accept: [404],
    })
  }
}

export const shopifyWebhooks: WebhookRegistration<ShopifyCredentials, ShopifySettings> = {
  async register(context, webhookUrl) {
    // Shopify refuses a second subscription of a topic to the same address (422): one already
    // there (an earlier attempt that failed half-way) is kept instead.
    const existing = await subscriptionsTo(context, webhookUrl)
    const ids: string[] = []
    const created: string[] = []
    try {
      for (const topic of SHOPIFY_SUBSCRIBED_TOPICS) {
        const found = existing.find((webhook) => webhook.topic === topic)
        if (found) {
          ids.push(String(found.id))
          continue
        }
        const response = await context.http.request(path(context, 'webhooks.json'), {
          json: { webhook: { topic, address: webhookUrl, format: 'json' } },
          headers: shopifyHeaders(context.credentials),
        })
        const id = String(response.json<{ webhook: Subscription }>().webhook.id)
        ids.push(id)
        created.push(id)
      }
    } catch (error) {
      // Nothing half-registered is left behind: the next attempt starts from the same state.
      await unsubscribe(context, created).catch(() => undefined)
      throw error
    }
    return ids
  },

  unregister: (context, registeredIds) => unsubscribe(context, registeredIds),

  async active(context, registeredIds, webhookUrl) {
    const subscriptions = await subscriptionsTo(context, webhookUrl)
    // A connection subscribed before a topic joined the set (products/*) lacks it: subscribed again, whole.
    if (SHOPIFY_SUBSCRIBED_TOPICS.some((topic) => !subscriptions.some((webhook) => webhook.topic === topic))) return []
    const present = new Set(subscriptions.map((webhook) => String(webhook.id)))
    return registeredIds.filter((id) => present.has(id))
  },
}
