/**
 * The Cartum (Horoshop API) connector: PUT webhooks authenticated by a key in their URL, a
 * two-month backfill without delivered orders (CA1), a poll that keeps statuses in step, and
 * status write-back through the connection's status map (CA2).
 */
import { FinalError } from '../../core/errors'
import { parseWebhookBody } from '../webhook-body'
import { randomToken } from '../../core/crypto'
import type { SourceConnector } from '../types'
import { fetchCartumPage } from './fetch-page'
import { cartumOrderToCanonical } from './mapper'
import {
  type CartumCredentials,
  cartumCredentialsSchema,
  cartumOrderSchema,
  type CartumSettings,
  cartumSettingsSchema,
} from './schemas'
import { cartumWebhookUrl, verifyCartumWebhook } from './webhook'
import { cartumWebhooks } from './webhooks'
import { writeBackToCartum } from './write-back'

export const cartumConnector: SourceConnector<CartumCredentials, CartumSettings> = {
  platform: 'cartum',
  role: 'source',
  importPolicy: {},
  credentialsSchema: cartumCredentialsSchema,
  settingsSchema: cartumSettingsSchema,
  apiBaseUrl: (credentials) => `https://${credentials.domain}`,
  generatedCredentials: (credentials) => (credentials.webhookSecret ? {} : { webhookSecret: randomToken(24) }),
  registeredWebhookUrl: cartumWebhookUrl,
  verifyWebhook: verifyCartumWebhook,
  webhooks: cartumWebhooks,

  async parseWebhook(event, context) {
    const parsed = cartumOrderSchema.safeParse(parseWebhookBody(event))
    if (!parsed.success) throw new FinalError(`unreadable Cartum order: ${parsed.error.issues[0]?.message}`)
    return [{ kind: 'order', order: cartumOrderToCanonical(parsed.data, context.settings, event.receivedAt) }]
  },

  fetchPage: fetchCartumPage,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  writeBack: writeBackToCartum,
}
