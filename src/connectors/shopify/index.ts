/**
 * The Shopify connector: webhooks (orders/*, products/*), backfill and reconciliation through the
 * Admin REST API, and fulfilment write-back (SH1–SH6).
 */
import { FinalError } from '../../core/errors'
import { parseWebhookBody } from '../webhook-body'
import type { SourceConnector } from '../types'
import { fetchOrder } from './client'
import { fetchShopifyPage } from './fetch-page'
import { shopifyOrderToCanonical } from './mapper'
import { shopifyProductRecords } from './product-mapper'
import { SHOPIFY_PRIVACY_TOPICS, shopifyPrivacyRequest } from './privacy'
import {
  type ShopifyCredentials,
  type ShopifySettings,
  shopifyCredentialsSchema,
  shopifyOrderEditSchema,
  shopifyOrderSchema,
  shopifyProductSchema,
  shopifySettingsSchema,
} from './schemas'
import { SHOPIFY_PRODUCT_TOPICS, verifyShopifyWebhook } from './webhook'
import { shopifyWebhooks } from './webhooks'
import { shopifyStock } from './stock'
import { writeBackToShopify } from './write-back'

export const shopifyConnector: SourceConnector<ShopifyCredentials, ShopifySettings> = {
  platform: 'shopify',
  role: 'source',
  importPolicy: {},
  credentialsSchema: shopifyCredentialsSchema,
  settingsSchema: shopifySettingsSchema,
  apiBaseUrl: (credentials) => `https://${credentials.shopDomain}`,
  verifyWebhook: verifyShopifyWebhook,
  webhooks: shopifyWebhooks,

  async parseWebhook(event, context) {
    const payload = parseWebhookBody(event)
    if (SHOPIFY_PRIVACY_TOPICS.includes(event.topic)) return [shopifyPrivacyRequest(event.topic, payload)]
    if (SHOPIFY_PRODUCT_TOPICS.includes(event.topic)) {
      const parsed = shopifyProductSchema.safeParse(payload)
      if (!parsed.success)
        throw new FinalError(
          `unreadable ${event.topic} payload: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`
        )
      return shopifyProductRecords(parsed.data)
    }
    let raw: unknown = payload
    if (event.topic === 'orders/edited') {
      // The edit payload lists changed lines only; the order as it now stands is read from the API.
      const edit = shopifyOrderEditSchema.parse(payload)
      raw = await fetchOrder(context, edit.order_edit.order_id)
      if (!raw)
        return [
          {
            kind: 'decision',
            about: 'order',
            externalId: edit.order_edit.order_id,
            result: 'skipped',
            reason: 'the edited order no longer exists',
          },
        ]
    }
    const parsed = shopifyOrderSchema.safeParse(raw)
    if (!parsed.success)
      throw new FinalError(
        `unreadable ${event.topic} payload: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`
      )
    return [{ kind: 'order', order: shopifyOrderToCanonical(parsed.data) }]
  },

  fetchPage: fetchShopifyPage,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  writeBack: writeBackToShopify,
  stock: shopifyStock,
}
