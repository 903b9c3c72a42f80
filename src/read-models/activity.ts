/**
 * The activity charts' figures (issue 19): orders imported and failures per hour (last 24 hours)
 * or per day (last 7 days), per connection of a tenant or per tenant of the operator's overview.
 * One statement: each source is counted per group and bucket in SQL, on an index that holds just
 * what is counted (orders by import time; failed import-log lines, outbound calls and poll runs);
 * src/read-models/activity-buckets.ts fills in the empty buckets.
 *
 * A failure is what the connections page counts as one: a failed import-log line, a failed
 * outbound call, a failed poll or backfill run.
 */
import { and, asc, type Column, eq, isNull, type SQL, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from '../db/client'
import { connections, importLog, orders, outboundCalls, syncJobs } from '../db/schema'
import {
  type Bucket,
  type BucketCount,
  fillBuckets,
  type Span,
  SPANS,
  sumSeries,
  windowStart,
} from './activity-buckets'

type GroupBy = 'connection' | 'tenant'

type Source = { table: SQLiteTable; tenantId: Column; connectionId: Column; at: Column }

function source(table: SQLiteTable & { tenantId: Column; connectionId: Column }, at: Column): Source {
  return { table, tenantId: table.tenantId, connectionId: table.connectionId, at }
}

/** Rows per (group, bucket key) for the given tenants since the span's first bucket. */
async function activityCounts(
  db: Database,
  tenantIds: string[],
  by: GroupBy,
  span: Span,
  now: Date
): Promise<BucketCount[]> {
  if (!tenantIds.length) return []
  const since = windowStart(span, now)
  const length = SPANS[span].keyLength
  const ids = JSON.stringify(tenantIds)
  const branch = (source: Source, counts: 'imported' | 'failed', where: SQL) => {
    const group = by === 'tenant' ? source.tenantId : source.connectionId
    const one = (kind: typeof counts) => (counts === kind ? sql`count(*)` : sql`0`)
    return sql`select ${group} as grp, substr(${source.at}, 1, ${length}) as bucket, ${one('imported')} as imported,
        ${one('failed')} as failed
      from ${source.table}
      where ${source.tenantId} in (select value from json_each(${ids})) and ${source.at} >= ${since} and ${where}
      group by grp, bucket`
  }
  const rows = await db.all<{ grp: string; bucket: string; imported: number; failed: number }>(sql`
    select grp, bucket, sum(imported) as imported, sum(failed) as failed from (
      ${branch(source(orders, orders.importedAt), 'imported', sql`1`)}
      union all ${branch(source(importLog, importLog.at), 'failed', sql`${importLog.result} = 'failed'`)}
      union all ${branch(source(outboundCalls, outboundCalls.at), 'failed', sql`${outboundCalls.result} = 'failed'`)}
      union all ${branch(source(syncJobs, syncJobs.startedAt), 'failed', sql`${syncJobs.status} = 'failed'`)}
    )
    group by grp, bucket`)
  return rows.map((row) => ({ group: row.grp, key: row.bucket, imported: row.imported, failed: row.failed }))
}

export type ConnectionActivity = { id: string; name: string; platform: string; buckets: Bucket[] }

/** A tenant's live connections, each with its series, and the tenant's total over them. */
export async function connectionActivity(
  db: Database,
  tenantId: string,
  span: Span,
  now = new Date()
): Promise<{ connections: ConnectionActivity[]; total: Bucket[] }> {
  const [live, counts] = await Promise.all([
    db
      .select({ id: connections.id, name: connections.name, platform: connections.platform })
      .from(connections)
      .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
      .orderBy(asc(connections.name)),
    activityCounts(db, [tenantId], 'connection', span, now),
  ])
  const series = fillBuckets(
    span,
    now,
    live.map((row) => row.id),
    counts
  )
  const list = live.map((row) => ({ ...row, buckets: series.get(row.id)! }))
  return {
    connections: list,
    total: sumSeries(
      span,
      now,
      list.map((row) => row.buckets)
    ),
  }
}

/** Each of the given tenants' series, all connections together (the operator's overview). */
export async function tenantActivity(
  db: Database,
  tenantIds: string[],
  span: Span,
  now = new Date()
): Promise<Map<string, Bucket[]>> {
  return fillBuckets(span, now, tenantIds, await activityCounts(db, tenantIds, 'tenant', span, now))
}
