/**
 * The dashboard's home page reads this: each live connection of a tenant with its health — last
 * webhook, last poll, an open backfill, error and pending dead-letter counts, webhook registration.
 * Five counts in one round trip, then each connection's latest poll and open backfill.
 */
import { and, count, desc, eq, inArray, isNull, max, ne, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { connections, deadLetters, handovers, importLog, inbox, orders, outboundCalls, syncJobs } from '../db/schema'

export type Job = typeof syncJobs.$inferSelect

export type Health = {
  id: string
  name: string
  platform: string
  createdAt: string
  registration: string | null
  lastWebhook: string | null
  lastPoll: Job | null
  backfill: Job | null
  errors: number
  deadLetters: number
}

function registrationOf(row: typeof connections.$inferSelect): string | null {
  return row.webhookRegistration?.state ?? null
}

// A dead letter's connection: named in its message (pages), or that of its webhook delivery,
// or the destination of its hand-over, or the source of the order it concerns (write-back).
const deadLetterConnection = sql<string | null>`coalesce(
  json_extract(${deadLetters.body}, '$.connectionId'),
  json_extract(${deadLetters.body}, '$.destinationId'),
  ${inbox.connectionId},
  ${handovers.destinationId},
  ${orders.connectionId})`

export async function connectionHealth(db: Database, tenantId: string): Promise<Health[]> {
  const rows = await db
    .select()
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
    .orderBy(connections.name)
  if (!rows.length) return []
  const ids = rows.map((row) => row.id)
  const [webhooks, importErrors, callErrors, jobErrors, letters] = await db.batch([
    db
      .select({ id: inbox.connectionId, at: max(inbox.receivedAt) })
      .from(inbox)
      .where(inArray(inbox.connectionId, ids))
      .groupBy(inbox.connectionId),
    db
      .select({ id: importLog.connectionId, n: count() })
      .from(importLog)
      .where(
        and(eq(importLog.tenantId, tenantId), inArray(importLog.connectionId, ids), eq(importLog.result, 'failed'))
      )
      .groupBy(importLog.connectionId),
    db
      .select({ id: outboundCalls.connectionId, n: count() })
      .from(outboundCalls)
      .where(
        and(
          eq(outboundCalls.tenantId, tenantId),
          inArray(outboundCalls.connectionId, ids),
          eq(outboundCalls.result, 'failed')
        )
      )
      .groupBy(outboundCalls.connectionId),
    db
      .select({ id: syncJobs.connectionId, n: count() })
      .from(syncJobs)
      .where(and(eq(syncJobs.tenantId, tenantId), inArray(syncJobs.connectionId, ids), eq(syncJobs.status, 'failed')))
      .groupBy(syncJobs.connectionId),
    // Pending dead letters of this tenant, by the connection their message concerns.
    db
      .select({ id: deadLetterConnection, n: count() })
      .from(deadLetters)
      .leftJoin(inbox, eq(inbox.id, sql`json_extract(${deadLetters.body}, '$.inboxId')`))
      .leftJoin(handovers, eq(handovers.id, sql`json_extract(${deadLetters.body}, '$.handoverId')`))
      .leftJoin(orders, eq(orders.id, sql`json_extract(${deadLetters.body}, '$.orderId')`))
      .where(and(eq(deadLetters.tenantId, tenantId), isNull(deadLetters.replayedAt)))
      .groupBy(deadLetterConnection),
  ])
  const latestJob = (id: string, open: boolean) =>
    db
      .select()
      .from(syncJobs)
      .where(
        and(
          eq(syncJobs.connectionId, id),
          eq(syncJobs.tenantId, tenantId),
          open ? and(ne(syncJobs.mode, 'poll'), eq(syncJobs.status, 'running')) : eq(syncJobs.mode, 'poll')
        )
      )
      .orderBy(desc(syncJobs.startedAt))
      .get()
  const jobs = await Promise.all(ids.map(async (id) => [await latestJob(id, false), await latestJob(id, true)]))
  const countFor = (list: { id: string | null; n: number }[], id: string) =>
    list.find((entry) => entry.id === id)?.n ?? 0
  return rows.map((row, index) => ({
    id: row.id,
    name: row.name,
    platform: row.platform,
    createdAt: row.createdAt,
    registration: registrationOf(row),
    lastWebhook: webhooks.find((entry) => entry.id === row.id)?.at ?? null,
    lastPoll: jobs[index][0] ?? null,
    backfill: jobs[index][1] ?? null,
    errors: countFor(importErrors, row.id) + countFor(callErrors, row.id) + countFor(jobErrors, row.id),
    deadLetters: countFor(letters, row.id),
  }))
}
