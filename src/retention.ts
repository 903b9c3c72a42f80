/**
 * Retention (issue 10): inbox bodies, import-log lines and delivery-log rows (issue 19) older
 * than the tenant's `retention_days` (default 30) are pruned by the cron, a bounded batch per tick. An inbox row
 * stays (its delivery key still deduplicates a late redelivery) and loses only its body, and only
 * once it was processed: an unprocessed or dead-lettered delivery keeps its body for the replay.
 * Tenants are taken by their retention value, so each delete is an index range per tenant.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Database } from './db/client'
import { connections, importLog, inboundDeliveries, inbox, tenants } from './db/schema'

export const RETENTION_BATCH = 500

function cutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString()
}

/** Prunes at most `limit` inbox bodies, import-log lines and delivery-log rows each; returns how many. */
export async function pruneExpired(db: Database, now = new Date(), limit = RETENTION_BATCH) {
  let inboxBodies = 0
  let importLogRows = 0
  let deliveryLogRows = 0
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
    if (deliveryLogRows < limit) {
      // Accepted and refused alike: an accepted one's body went with its inbox row's above.
      const logged = await db
        .delete(inboundDeliveries)
        .where(
          inArray(
            inboundDeliveries.id,
            db
              .select({ id: inboundDeliveries.id })
              .from(inboundDeliveries)
              .where(and(inArray(inboundDeliveries.tenantId, ofGroup), lt(inboundDeliveries.receivedAt, before)))
              .limit(limit - deliveryLogRows)
          )
        )
        .returning({ id: inboundDeliveries.id })
      deliveryLogRows += logged.length
    }
  }
  return { inboxBodies, importLogRows, deliveryLogRows }
}
