/**
 * Builds the ConnectorContext a connector runs with, from the Worker's bindings: parsed
 * credentials and settings, an HTTP client bound to the platform's base URL under Kontor's URL
 * policy, the connection's encrypted session state in D1, and the AccountPacer of each platform
 * account. It lives outside src/connectors so that connectors see only these ports.
 */
import type { Bindings } from '../env'
import { type Database, database } from '../db/client'
import { type LoadedConnection, readSessionState, writeSessionState } from '../db/connections'
import { keyringOf } from '../core/crypto'
import { FinalError } from '../core/errors'
import { createHttpClient } from '../core/http-client'
import { allowInsecureUrls } from '../core/url-policy'
import { unsafeUrlReason } from '../core/url-safety'
import type { Connector, ConnectorContext } from '../connectors/types'
import { accountPacer } from '../pacing/pacer'

export function connectorContext(
  env: Bindings,
  connector: Connector,
  connection: LoadedConnection,
  db: Database = database(env.DB),
  /** A session store of the caller's (a claimed use case read the session state with its claim). */
  session?: ConnectorContext<unknown, unknown>['session']
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
    session: session ?? {
      get: <T>() => readSessionState<T>(db, keyringOf(env), connection.id),
      set: (value: unknown) => writeSessionState(db, keyringOf(env), connection.id, value),
    },
    pacer: (account, options) => accountPacer(env.PACER, connection.platform, account, options),
    now: () => new Date(),
  }
}
