/**
 * The cron's health check of Kontor's webhooks at the platforms: a connection whose webhooks were
 * last checked more than CHECK_EVERY_MINUTES ago is checked again (a bounded batch per tick, the
 * longest unchecked first). A webhook the platform disabled or deleted (WooCommerce after repeated
 * failures, Shopify after 8) is registered again and counted on the connection (`reregistered`);
 * a registration that failed is retried. Each connection is claimed by moving its `checkedAt`
 * (compare-and-set), so two overlapping ticks never check the same one, and a connection the
 * check leaves alone (registration switched off) does not come back every minute.
 */
import { and, desc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import { findConnector, supportedPlatforms } from '../connectors/registry'
import { keyringOf } from '../core/crypto'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { loadConnection } from '../db/connections'
import { connections } from '../db/schema'
import type { Bindings } from '../env'
import { activeTenant } from '../tenants/suspension'
import { checkWebhooks, registerWebhooks } from './registration'

export const CHECK_EVERY_MINUTES = 15
export const CHECK_BATCH = 20

const checkedAt = sql<string>`json_extract(${connections.webhookRegistration}, '$.checkedAt')`

/** Kontor's own origin, as the newest registration saw it; the cron has no request to read it from. */
async function knownOrigin(db: Database): Promise<string | null> {
  const row = await db
    .select({ origin: sql<string | null>`json_extract(${connections.webhookRegistration}, '$.origin')` })
    .from(connections)
    .where(isNotNull(sql`json_extract(${connections.webhookRegistration}, '$.origin')`))
    .orderBy(desc(checkedAt))
    .limit(1)
    .get()
  return row?.origin ?? null
}

/**
 * Connections made before Kontor registered webhooks have no registration at all, so the check
 * above never met them (issue 16). Those whose platform takes registered webhooks, with
 * registration not switched off, are registered now under Kontor's known origin; the claim (the
 * null registration becomes a `failed` one naming why) keeps two ticks from registering twice.
 */
async function registerNeverRegistered(env: Bindings, db: Database, now: Date) {
  const platforms = supportedPlatforms().filter((platform) => findConnector(platform)?.webhooks)
  const neverRegistered = await db
    .select({ id: connections.id })
    .from(connections)
    .where(
      and(
        isNull(connections.deletedAt),
        isNull(connections.webhookRegistration),
        inArray(connections.platform, platforms),
        sql`coalesce(json_extract(${connections.settings}, '$.registerWebhooks'), 1) <> 0`
      )
    )
    .limit(CHECK_BATCH)
  if (!neverRegistered.length) return
  const origin = await knownOrigin(db)
  if (!origin) {
    logger.warn('connections without webhooks wait for a first registration to learn Kontor’s origin', {
      connections: neverRegistered.length,
    })
    return
  }
  for (const row of neverRegistered) {
    try {
      const claimed = await db
        .update(connections)
        .set({
          webhookRegistration: {
            state: 'failed',
            ids: [],
            checkedAt: now.toISOString(),
            origin,
            error: 'made before webhook registration; being registered',
          },
        })
        .where(and(eq(connections.id, row.id), isNull(connections.webhookRegistration)))
        .returning({ id: connections.id })
      if (!claimed.length) continue
      const connection = await loadConnection(db, keyringOf(env), row.id)
      if (connection) await registerWebhooks(env, db, connection, origin)
    } catch (error) {
      logger.warn('webhook registration of an older connection failed', { connectionId: row.id, error: String(error) })
    }
  }
}

export async function checkRegisteredWebhooks(env: Bindings, db: Database, now: Date) {
  await registerNeverRegistered(env, db, now)
  const dueBefore = new Date(now.getTime() - CHECK_EVERY_MINUTES * 60_000).toISOString()
  const due = await db
    .select({ id: connections.id, registration: connections.webhookRegistration })
    .from(connections)
    .where(
      and(
        isNull(connections.deletedAt),
        isNotNull(connections.webhookRegistration),
        lt(checkedAt, dueBefore),
        activeTenant(connections.tenantId)
      )
    )
    .orderBy(checkedAt)
    .limit(CHECK_BATCH)

  for (const row of due) {
    const registration = row.registration
    if (!registration) continue
    try {
      const claimed = await db
        .update(connections)
        .set({ webhookRegistration: { ...registration, checkedAt: now.toISOString() } })
        .where(and(eq(connections.id, row.id), eq(checkedAt, registration.checkedAt)))
        .returning({ id: connections.id })
      if (!claimed.length) continue
      const connection = await loadConnection(db, keyringOf(env), row.id)
      if (connection) await checkWebhooks(env, db, connection, registration)
    } catch (error) {
      logger.warn('webhook health check failed', { connectionId: row.id, error: String(error) })
    }
  }
}
