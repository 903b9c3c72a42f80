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
import { accountKeyForChange } from '../account-identity/claim-account'
import { registerWebhooksAgain } from '../webhook-subscriptions/registration'
import { checkRoutes, checkUrls, validate } from './connection-input'
import type { ConnectionSetupPorts } from './ports'
import { type Actor, auditStatement, SYSTEM } from '../audit/audit-log'
import { writeBatch } from '../db/write-batch'
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
  input: ConnectionChanges,
  /** Kontor's own origin, for webhooks registered again under new credentials or settings. */
  origin: string,
  /** Who does it, for the audit row written with the change. */
  who: Actor = SYSTEM
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
    // One live connection per platform account (issue 16): 409 when another holds the one these reach.
    accountKey: await accountKeyForChange(db, row, credentials, settings),
    // Changed settings may change the poll interval: the next cron tick works it out again.
    pollDueAt: null,
    updatedAt: nowIso(),
  }
  await writeBatch(db, [
    db.update(connections).set(changes).where(eq(connections.id, row.id)),
    auditStatement(db, who, {
      tenantId,
      action: input.routes ? 'connection.routes_changed' : 'connection.changed',
      targetId: row.id,
      // Field names, never credential values.
      details: {
        fields: Object.keys(input),
        ...(input.credentials ? { credentials: Object.keys(input.credentials) } : {}),
        ...(input.routes ? { routes: input.routes, previousRoutes: row.routes } : {}),
      },
    }),
  ])
  forgetConnection(row.id)
  // Webhooks registered with the old secret, address or `registerWebhooks` are registered afresh.
  const webhookRegistration =
    input.credentials || input.settings
      ? await registerWebhooksAgain(env, db, {
          before: current,
          after: { ...current, credentials, settings },
          registration: row.webhookRegistration,
          origin,
        })
      : row.webhookRegistration
  return { ...row, ...changes, webhookRegistration }
}
