/**
 * Retention (issue 10): inbox bodies and import-log lines older than the tenant's
 * `retention_days` (default 30) are pruned by the cron, a bounded batch per tick. An inbox row
 * stays (its delivery key still deduplicates a late redelivery) and loses only its body, and only
 * once it was processed: an unprocessed or dead-lettered delivery keeps its body for the replay.
 * Tenants are taken by their retention value, so each delete is an index range per tenant.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Database } from './db/client'
import { connections, importLog, inbox, tenants } from './db/schema'

export const RETENTION_BATCH = 500

function cutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString()
}

/** Prunes at most `limit` inbox bodies and `limit` import-log lines; returns how many. */
export async function pruneExpired(db: Database, now = new Date(), limit = RETENTION_BATCH) {
  let inboxBodies = 0
  let importLogRows = 0
  const groups = await db.selectDistinct({ days: tenants.retentionDays }).from(tenants)
  for (const { days } of groups) {
    const before = cutoff(now, days)
    const ofGroup = db.select({ id: tenants.id }).from(tenants).where(eq(tenants.retentionDays, days))
    if (inboxBodies < limit) {
      const bodies = await db
        .update(inbox)
        .set({ body: '' })
        .where(
          inArray(
            inbox.id,
            db
              .select({ id: inbox.id })
              .from(inbox)
              .where(
                and(
                  inArray(
                    inbox.connectionId,
                    db.select({ id: connections.id }).from(connections).where(inArray(connections.tenantId, ofGroup))
                  ),
                  lt(inbox.processedAt, before),
                  // Literally the partial index's condition (inbox_body_kept), so SQLite uses it.
                  sql`${inbox.body} <> ''`
                )
              )
              .limit(limit - inboxBodies)
          )
        )
        .returning({ id: inbox.id })
      inboxBodies += bodies.length
    }
    if (importLogRows < limit) {
      const lines = await db
        .delete(importLog)
        .where(
          inArray(
            importLog.id,
            db
              .select({ id: importLog.id })
              .from(importLog)
              .where(and(inArray(importLog.tenantId, ofGroup), lt(importLog.at, before)))
              .limit(limit - importLogRows)
          )
        )
        .returning({ id: importLog.id })
      importLogRows += lines.length
    }
  }
  return { inboxBodies, importLogRows }
}
