/**
 * Builds the ConnectorContext a connector runs with: parsed credentials and settings, an HTTP
 * client bound to the platform's base URL, and the connection's encrypted session state.
 */
import type { Bindings } from '../env'
import { type Database, database } from '../db/client'
import { type LoadedConnection, readSessionState, writeSessionState } from '../db/connections'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import { createHttpClient } from '../core/http-client'
import { unsafeUrlReason } from '../core/url-safety'
import type { Connector, ConnectorContext } from './types'

export function allowInsecureUrls(env: Bindings): boolean {
  // A string whatever `wrangler types` infers from wrangler.toml's default ("false").
  return String(env.ALLOW_INSECURE_URLS) === 'true'
}

export function connectorContext(
  env: Bindings,
  connector: Connector,
  connection: LoadedConnection,
  db: Database = database(env.DB)
): // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed by the connector's own schemas just below
ConnectorContext<any, any> {
  const credentials = connector.credentialsSchema.parse(connection.credentials)
  const settings = connector.settingsSchema.parse(connection.settings)
  const baseUrl = (settings as { baseUrl?: string }).baseUrl ?? connector.apiBaseUrl(credentials)
  const unsafe = unsafeUrlReason(baseUrl, allowInsecureUrls(env))
  if (unsafe) throw new FinalError(`connection ${connection.id}: base URL ${unsafe}`)
  return {
    connection: { id: connection.id, tenantId: connection.tenantId, platform: connection.platform },
    credentials,
    settings,
    http: createHttpClient({ baseUrl, allowInsecureUrls: allowInsecureUrls(env) }),
    session: {
      get: <T>() => readSessionState<T>(db, keyringOf(env), connection.id),
      set: (value: unknown) => writeSessionState(db, keyringOf(env), connection.id, value),
    },
    now: () => new Date(),
  }
}
