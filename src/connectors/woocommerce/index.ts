/**
 * The WooCommerce connector: signed webhooks for orders, products (variations as articles) and customers, a backfill
 * (WC1) and a poll of `modified_after` (WooCommerce never retries a failed delivery), and
 * write-back of tracking and completion (WC3).
 */
import { FinalError } from '../../core/errors'
import { parseWebhookBody } from '../webhook-body'
import type { ImportRecord } from '../../core/model'
import type { SourceConnector } from '../types'
import { categoriesOfProducts } from './catalog'
import { fetchWooCommercePage } from './fetch-page'
import { wooCustomerToCanonical, wooOrderToRecord } from './mapper'
import {
  type WooCredentials,
  wooCredentialsSchema,
  wooCustomerSchema,
  wooOrderSchema,
  wooProductSchema,
  type WooSettings,
  wooSettingsSchema,
} from './schemas'
import { verifyWooWebhook } from './webhook'
import { wooWebhooks } from './webhooks'
import { wooStock } from './stock'
import { wooProductRecords } from './variations'
import { writeBackToWooCommerce } from './write-back'

function parse<T>(
  schema: {
    safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } }
  },
  payload: unknown,
  topic: string
): T {
  const parsed = schema.safeParse(payload)
  if (!parsed.success) throw new FinalError(`unreadable ${topic} payload: ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

export const wooCommerceConnector: SourceConnector<WooCredentials, WooSettings> = {
  platform: 'woocommerce',
  role: 'source',
  importPolicy: {},
  credentialsSchema: wooCredentialsSchema,
  settingsSchema: wooSettingsSchema,
  apiBaseUrl: (credentials) => credentials.siteUrl,
  verifyWebhook: verifyWooWebhook,
  webhooks: wooWebhooks,

  async parseWebhook(event, context): Promise<ImportRecord[]> {
    const payload = parseWebhookBody(event) as { id?: unknown }
    const [resource, action] = event.topic.split('.')
    if (action === 'deleted') {
      return [
        {
          kind: 'decision',
          about: resource === 'order' ? 'order' : resource === 'product' ? 'product' : 'customer',
          externalId: String(payload.id),
          result: 'skipped',
          reason: `deleted on WooCommerce; the hub keeps its copy`,
        },
      ]
    }
    if (resource === 'order') {
      // The payload is the order as it was when delivered: treated as its latest state.
      const order = parse(wooOrderSchema, payload, event.topic)
      const productIds = order.line_items.flatMap((line) =>
        line.product_id && line.product_id !== '0' ? [line.product_id] : []
      )
      const categories = await categoriesOfProducts(context, productIds)
      return [wooOrderToRecord(order, (productId) => categories.get(productId) ?? null)]
    }
    if (resource === 'product') return wooProductRecords(context, parse(wooProductSchema, payload, event.topic))
    return [{ kind: 'customer', customer: wooCustomerToCanonical(parse(wooCustomerSchema, payload, event.topic)) }]
  },

  fetchPage: fetchWooCommercePage,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  writeBack: writeBackToWooCommerce,
  stock: wooStock,
}
