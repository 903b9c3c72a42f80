/**
 * The Billbee connector: a polled back-end (BB2). Tagged, paid orders and the whole catalogue
 * are read on schedule (BB3–BB7), changes re-imported only while the order is new (BB8), and
 * shipping written back as state and shipments (BB9).
 */
import type { SourceConnector } from '../types'
import { fetchBillbeePage } from './fetch-page'
import {
  type BillbeeCredentials,
  billbeeCredentialsSchema,
  type BillbeeSettings,
  billbeeSettingsSchema,
} from './schemas'
import { afterBillbeeImport, writeBackToBillbee } from './write-back'

export const billbeeConnector: SourceConnector<BillbeeCredentials, BillbeeSettings> = {
  platform: 'billbee',
  role: 'source',
  importPolicy: { ignoresChangesAfterNew: 'BB8', rejectsDuplicateProductCodes: 'BB4' },
  credentialsSchema: billbeeCredentialsSchema,
  settingsSchema: billbeeSettingsSchema,
  apiBaseUrl: () => 'https://app.billbee.io',
  // The API key names the application, the user the account it reads.
  accountIdentity: (credentials) => `${credentials.apiKey}:${credentials.username.toLowerCase()}`,
  fetchPage: fetchBillbeePage,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  afterOrderImported: (context, order) => afterBillbeeImport(context, order),
  writeBack: writeBackToBillbee,
}
