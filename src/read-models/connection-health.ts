/**
 * The dashboard's home page reads this: each live connection of a tenant with its health — last
 * webhook, last poll, an open backfill, error and pending dead-letter counts, webhook registration.
 * Five counts in one round trip, then each connection's latest poll and open backfill.
 */
import { and, count, desc, eq, gte, inArray, isNull, max, ne, sql } from 'drizzle-orm'
import { findConnector } from '../connectors/registry'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
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
  /** Failed imports, outbound calls and sync runs of the last 24 hours. */
  failures24h: number
  /** Outbound steps (an order's hand-over, write-back …) whose latest call failed, and a failed last poll. */
  failingNow: number
  /** Outbound steps that failed in the last 24 hours and have since succeeded. */
  recovered: number
  /** Where the failures are listed: the import log for a source, the outbound calls for a destination. */
  failuresLink: string
  deadLetters: number
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Each outbound step of the last 24 hours (an order and an action, or a step key) by its latest
 * call: failing now when that call failed, recovered when it did not but an earlier one did.
 * SQLite takes the bare `result` from the row that holds `max(at)`.
 */
function outboundStepStates(db: Database, tenantId: string, since: string) {
  return db.all<{ id: string; failing: number; recovered: number }>(sql`
    select connection_id as id,
      sum(last_result = 'failed') as failing,
      sum(last_result <> 'failed' and failures > 0) as recovered
    from (
      select ${outboundCalls.connectionId} as connection_id, ${outboundCalls.result} as last_result,
        max(${outboundCalls.at}) as last_at, sum(${outboundCalls.result} = 'failed') as failures
      from ${outboundCalls}
      where ${outboundCalls.tenantId} = ${tenantId} and ${outboundCalls.at} >= ${since}
      group by ${outboundCalls.connectionId},
        coalesce(${outboundCalls.orderId} || ' ' || ${outboundCalls.action}, ${outboundCalls.stepKey}, ${outboundCalls.id})
    )
    group by connection_id`)
}

/**
 * How many rows of `table` (the import log, outbound calls or sync jobs) failed since `since`,
 * per connection of `ids`: `outcome` is the table's result column, `at` its time.
 */
function failuresByConnection(
  db: Database,
  table: typeof importLog | typeof outboundCalls | typeof syncJobs,
  outcome: SQLiteColumn,
  at: SQLiteColumn,
  scope: { tenantId: string; ids: string[]; since: string }
) {
  return db
    .select({ id: table.connectionId, n: count() })
    .from(table)
    .where(
      and(
        eq(table.tenantId, scope.tenantId),
        inArray(table.connectionId, scope.ids),
        eq(outcome, 'failed'),
        gte(at, scope.since)
      )
    )
    .groupBy(table.connectionId)
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
  const since = new Date(Date.now() - DAY_MS).toISOString()
  const [webhooks, importErrors, callErrors, jobErrors, letters] = await db.batch([
    db
      .select({ id: inbox.connectionId, at: max(inbox.receivedAt) })
      .from(inbox)
      .where(inArray(inbox.connectionId, ids))
      .groupBy(inbox.connectionId),
    failuresByConnection(db, importLog, importLog.result, importLog.at, { tenantId, ids, since }),
    failuresByConnection(db, outboundCalls, outboundCalls.result, outboundCalls.at, { tenantId, ids, since }),
    failuresByConnection(db, syncJobs, syncJobs.status, syncJobs.startedAt, { tenantId, ids, since }),
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
  const steps = await outboundStepStates(db, tenantId, since)
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
    failures24h: countFor(importErrors, row.id) + countFor(callErrors, row.id) + countFor(jobErrors, row.id),
    failingNow:
      (steps.find((entry) => entry.id === row.id)?.failing ?? 0) + (jobs[index][0]?.status === 'failed' ? 1 : 0),
    recovered: steps.find((entry) => entry.id === row.id)?.recovered ?? 0,
    failuresLink:
      findConnector(row.platform)?.role === 'destination'
        ? `/outbound-calls?connectionId=${encodeURIComponent(row.id)}&result=failed`
        : `/import-log?connectionId=${encodeURIComponent(row.id)}&result=failed`,
    deadLetters: countFor(letters, row.id),
  }))
}
