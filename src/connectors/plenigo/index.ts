/**
 * The plenigo connector: a destination (PL1). Orders routed to plenigo are imported as
 * externally managed offers for their invoice customer (PL2, PL3); every import is logged by
 * plenigo (PL4) and confirmed from that log by the cron (PL5). Kontor does not cancel them.
 */
import type { DestinationConnector } from '../types'
import { cancelAtPlenigo, handOverToPlenigo } from './handover'
import { pollPlenigoReports } from './reports'
import {
  type PlenigoCredentials,
  plenigoCredentialsSchema,
  type PlenigoSettings,
  plenigoSettingsSchema,
} from './schemas'

export const PLENIGO_API_BASE_URL = 'https://api.plenigo.com/api/v3.0'

export const plenigoConnector: DestinationConnector<PlenigoCredentials, PlenigoSettings> = {
  platform: 'plenigo',
  role: 'destination',
  credentialsSchema: plenigoCredentialsSchema,
  settingsSchema: plenigoSettingsSchema,
  apiBaseUrl: () => PLENIGO_API_BASE_URL,
  accountIdentity: (credentials) => credentials.apiToken,
  pollIntervalMinutes: (settings) => settings.pollMinutes,
  handOver: handOverToPlenigo,
  cancel: cancelAtPlenigo,
  pollReports: pollPlenigoReports,
}
