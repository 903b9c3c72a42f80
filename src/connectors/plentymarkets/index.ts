/**
 * The plentymarkets connector: a polled back-end (no webhooks). Open and cancelled orders are
 * read on schedule (PM2, PM5), handed over into the hub once (PM3), and the warehouse's reports
 * are written back as plenty statuses, notes and shipping packages (PM4–PM7).
 */
import type { SourceConnector } from '../types'
import { fetchPlentyPage } from './fetch-page'
import { type PlentyCredentials, plentyCredentialsSchema, type PlentySettings, plentySettingsSchema } from './schemas'
import { afterPlentyImport, writeBackToPlenty } from './write-back'

export const plentymarketsConnector: SourceConnector<PlentyCredentials, PlentySettings> = {
  platform: 'plentymarkets',
  role: 'source',
  importPolicy: { importsOnce: 'PM3', cancellationsAreRequests: 'PM5' },
  credentialsSchema: plentyCredentialsSchema,
  settingsSchema: plentySettingsSchema,
  apiBaseUrl: (credentials) => credentials.url,
  fetchPage: fetchPlentyPage,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  afterOrderImported: (context, order, _result, steps) => afterPlentyImport(context, order, steps),
  writeBack: writeBackToPlenty,
}
