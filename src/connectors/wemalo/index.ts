/**
 * The Wemalo connector: a destination (the warehouse). Orders routed to it become goods orders
 * (WM1); its `status_update` and `trackingnumber_added` callbacks, and the cron's poll of sent
 * packages and open goods orders, become order events (WM2); cancellations are sent and Wemalo's
 * refusal once picking started is reported as such (WM3). A changed address or order meta goes
 * on while Wemalo has not started on the goods order (updateMeta). The products of the routed
 * sources are sent to Wemalo's product master (WM4–WM5, products.ts). Returns Wemalo books are
 * read on the poll and on its `stock_change` callback (RT1, returns.ts, stock-change.ts).
 */
import { randomToken } from '../../core/crypto'
import type { DestinationConnector } from '../types'
import { cancelAtWemalo, handOverToWemalo, updateAtWemalo } from './handover'
import { wemaloProducts } from './products'
import { parseWemaloReports, pollWemaloReports } from './reports'
import { wemaloReturns } from './returns'
import { type WemaloCredentials, wemaloCredentialsSchema, type WemaloSettings, wemaloSettingsSchema } from './schemas'
import { verifyWemaloWebhook, wemaloWebhooks, wemaloWebhookUrl } from './webhook'

export const WEMALO_API_BASE = 'https://connect.wemalo.com/v1'

export const wemaloConnector: DestinationConnector<WemaloCredentials, WemaloSettings> = {
  platform: 'wemalo',
  role: 'destination',
  credentialsSchema: wemaloCredentialsSchema,
  settingsSchema: wemaloSettingsSchema,
  apiBaseUrl: () => WEMALO_API_BASE,
  accountIdentity: (credentials) => credentials.token,
  generatedCredentials: (credentials) => (credentials.webhookSecret ? {} : { webhookSecret: randomToken(24) }),
  registeredWebhookUrl: wemaloWebhookUrl,
  verifyWebhook: verifyWemaloWebhook,
  webhooks: wemaloWebhooks,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  handOver: handOverToWemalo,
  update: updateAtWemalo,
  cancel: cancelAtWemalo,
  parseReports: parseWemaloReports,
  pollReports: pollWemaloReports,
  products: wemaloProducts,
  returns: wemaloReturns,
}
