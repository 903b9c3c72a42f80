/**
 * Kontor's webhooks at the platforms (Shopify subscriptions, WooCommerce webhooks, Cartum
 * hooks, Wemalo callbacks): registered when a connection is created, removed when it is
 * deleted, and checked by the cron, which registers again what a platform disabled or dropped.
 * The outcome is kept on the connection (`webhook_registration`) for the API and the dashboard;
 * a failed registration never fails the connection, it is shown and retried.
 */
import { eq } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findConnector } from '../connectors/registry'
import type { Connector } from '../connectors/types'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, nowIso } from '../db/client'
import type { LoadedConnection } from '../db/connections'
import { connections } from '../db/schema'

export type Registration = NonNullable<(typeof connections.$inferSelect)['webhookRegistration']>

/** Whether Kontor registers this connection's webhooks itself (`settings.registerWebhooks`, default on). */
export function registersWebhooks(connector: Connector | undefined, settings: Record<string, unknown>): boolean {
  return Boolean(connector?.webhooks) && settings.registerWebhooks !== false
}

export function webhookPath(platform: string, connectionId: string) {
  return `/webhooks/${platform}/${connectionId}`
}

function registeredUrl(connector: Connector, connection: LoadedConnection, origin: string) {
  const url = `${origin}${webhookPath(connection.platform, connection.id)}`
  return connector.registeredWebhookUrl?.(url, connector.credentialsSchema.parse(connection.credentials)) ?? url
}

async function save(db: Database, connectionId: string, registration: Registration) {
  await db.update(connections).set({ webhookRegistration: registration }).where(eq(connections.id, connectionId))
}

export async function registerWebhooks(env: Bindings, db: Database, connection: LoadedConnection, origin: string) {
  const connector = findConnector(connection.platform)
  if (!connector?.webhooks || !registersWebhooks(connector, connection.settings)) return null
  let registration: Registration
  try {
    const context = connectorContext(env, connector, connection, db)
    const ids = await connector.webhooks.register(context, registeredUrl(connector, connection, origin))
    registration = { state: 'registered', ids, checkedAt: nowIso(), origin }
  } catch (error) {
    logger.warn('webhook registration failed', { connectionId: connection.id, error: String(error) })
    registration = { state: 'failed', ids: [], checkedAt: nowIso(), origin, error: String(error).slice(0, 500) }
  }
  await save(db, connection.id, registration)
  return registration
}

export async function unregisterWebhooks(
  env: Bindings,
  db: Database,
  connection: LoadedConnection,
  registration: Registration | null
) {
  const connector = findConnector(connection.platform)
  if (!connector?.webhooks || !registration?.ids.length) return
  try {
    const url = registration.origin ? registeredUrl(connector, connection, registration.origin) : undefined
    await connector.webhooks.unregister(connectorContext(env, connector, connection, db), registration.ids, url)
  } catch (error) {
    // The connection goes anyway; its webhooks then fail at intake with 404 and the platform disables them.
    logger.warn('webhook removal failed', { connectionId: connection.id, error: String(error) })
  }
}

/**
 * After a PATCH of credentials or settings: the webhooks registered with the old ones (an old
 * secret, an old address, `registerWebhooks` switched) are removed and registered afresh with the
 * new ones, or left off when registration is now switched off.
 */
export async function registerWebhooksAgain(
  env: Bindings,
  db: Database,
  change: { before: LoadedConnection; after: LoadedConnection; registration: Registration | null; origin: string }
): Promise<Registration | null> {
  await unregisterWebhooks(env, db, change.before, change.registration)
  const registration = await registerWebhooks(env, db, change.after, change.registration?.origin ?? change.origin)
  if (!registration && change.registration)
    await db.update(connections).set({ webhookRegistration: null }).where(eq(connections.id, change.after.id))
  return registration
}

/**
 * The cron's health check: a webhook the platform disabled or deleted, or a registration that
 * lacks one Kontor registers today, is registered again.
 */
export async function checkWebhooks(
  env: Bindings,
  db: Database,
  connection: LoadedConnection,
  registration: Registration
) {
  const connector = findConnector(connection.platform)
  if (!connector?.webhooks || !registersWebhooks(connector, connection.settings) || !registration.origin) return
  const context = connectorContext(env, connector, connection, db)
  const url = registeredUrl(connector, connection, registration.origin)
  try {
    const current = connector.webhooks.current?.(context, registration.ids) ?? true
    const active =
      registration.state === 'registered' && current
        ? await connector.webhooks.active(context, registration.ids, url)
        : []
    if (registration.state === 'registered' && current && active.length === registration.ids.length) {
      await save(db, connection.id, { ...registration, checkedAt: nowIso() })
      return
    }
    // Start clean, so a platform that refuses a second webhook for the same topic accepts the new set.
    if (registration.ids.length)
      await connector.webhooks.unregister(context, registration.ids, url).catch(() => undefined)
    const ids = await connector.webhooks.register(context, url)
    await save(db, connection.id, {
      state: 'registered',
      ids,
      checkedAt: nowIso(),
      origin: registration.origin,
      reregistered: (registration.reregistered ?? 0) + 1,
    })
  } catch (error) {
    await save(db, connection.id, {
      ...registration,
      state: 'failed',
      checkedAt: nowIso(),
      error: String(error).slice(0, 500),
    })
  }
}
