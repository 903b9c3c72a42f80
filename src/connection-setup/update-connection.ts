/**
 * Changing a connection: name, credentials (merged key by key over the stored ones, then
 * validated whole), settings or routes, under the same checks as creation. New credentials are
 * encrypted and drop the cached platform session; intake's cached copy is dropped at once.
 */
import { eq } from 'drizzle-orm'
import { findConnector } from '../connectors/registry'
import { encryptJson, keyringOf } from '../core/crypto'
import { allowInsecureUrls } from '../core/url-policy'
import { nowIso } from '../db/client'
import { type ConnectionRow, forgetConnection, openConnection } from '../db/connections'
import { connections } from '../db/schema'
import { checkRoutes, checkUrls, validate } from './connection-input'
import type { ConnectionSetupPorts } from './ports'
import { ownConnection } from './read-model'

export type ConnectionChanges = {
  name?: string
  credentials?: Record<string, unknown>
  settings?: Record<string, unknown>
  routes?: string[]
}

export async function updateConnection(
  { env, db }: ConnectionSetupPorts,
  tenantId: string,
  id: string,
  input: ConnectionChanges
): Promise<ConnectionRow> {
  const row = await ownConnection(db, tenantId, id)
  const connector = findConnector(row.platform)!
  const current = await openConnection(row, keyringOf(env))
  const credentials = validate(
    connector.credentialsSchema,
    { ...current.credentials, ...input.credentials },
    'credentials'
  )
  const settings = validate(connector.settingsSchema, { ...row.settings, ...input.settings }, 'settings') as Record<
    string,
    unknown
  >
  checkUrls(connector, credentials, settings, allowInsecureUrls(env))
  if (input.routes) await checkRoutes(db, tenantId, connector, input.routes)
  const changes = {
    name: input.name ?? row.name,
    credentials: input.credentials ? await encryptJson(keyringOf(env), credentials) : row.credentials,
    // New credentials invalidate any cached platform session.
    sessionState: input.credentials ? null : row.sessionState,
    settings,
    routes: input.routes ?? row.routes,
    updatedAt: nowIso(),
  }
  await db.update(connections).set(changes).where(eq(connections.id, row.id))
  forgetConnection(row.id)
  return { ...row, ...changes }
}
