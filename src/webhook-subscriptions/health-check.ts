/**
 * The cron's health check of Kontor's webhooks at the platforms: a connection whose webhooks were
 * last checked more than CHECK_EVERY_MINUTES ago is checked again (a bounded batch per tick, the
 * longest unchecked first). A webhook the platform disabled or deleted (WooCommerce after repeated
 * failures, Shopify after 8) is registered again and counted on the connection (`reregistered`);
 * a registration that failed is retried. Each connection is claimed by moving its `checkedAt`
 * (compare-and-set), so two overlapping ticks never check the same one, and a connection the
 * check leaves alone (registration switched off) does not come back every minute.
 */
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import { keyringOf } from '../core/crypto'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { loadConnection } from '../db/connections'
import { connections } from '../db/schema'
import type { Bindings } from '../env'
import { checkWebhooks } from './registration'

export const CHECK_EVERY_MINUTES = 15
export const CHECK_BATCH = 20

const checkedAt = sql<string>`json_extract(${connections.webhookRegistration}, '$.checkedAt')`

export async function checkRegisteredWebhooks(env: Bindings, db: Database, now: Date) {
  const dueBefore = new Date(now.getTime() - CHECK_EVERY_MINUTES * 60_000).toISOString()
  const due = await db
    .select({ id: connections.id, registration: connections.webhookRegistration })
    .from(connections)
    .where(and(isNull(connections.deletedAt), isNotNull(connections.webhookRegistration), lt(checkedAt, dueBefore)))
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
