/**
 * Spike for docs/scaling.md, design B (bench-only, never deployed): one tenant's import inside a
 * SQLite-backed Durable Object. It checks two things on workerd:
 *   1. Kontor's unchanged importer (src/import/import-records.ts) runs against the object's own
 *      SQLite when its one seam, the D1 client, is given a D1-shaped face over `ctx.storage.sql`
 *      whose `batch()` is `transactionSync` — so its batches, compare-and-set guards, `returning`,
 *      `on conflict` and `json_each` statements fit, and a failed guard rolls the batch back;
 *   2. `drizzle-orm/durable-sqlite` reads the same schema in the same object.
 * Run by scripts/bench/tenant-store-spike-run.ts; the answer is printed, not written anywhere.
 */
import { DurableObject } from 'cloudflare:workers'
import { count, sql } from 'drizzle-orm'
import { drizzle as durableDrizzle } from 'drizzle-orm/durable-sqlite'
import { database } from '../../src/db/client'
import { orders, syncCursors } from '../../src/db/schema'
import { writeBatch } from '../../src/db/write-batch'
import { guardStatement, isGuardFailure } from '../../src/db/write-guard'
import * as schema from '../../src/db/schema'
import { importRecords } from '../../src/import/import-records'
import { importTarget, order } from '../../test/import/fixtures'
import { countingD1 } from '../../test/import/counting-d1'

type Value = ArrayBuffer | string | number | null
const toValue = (value: unknown): Value =>
  value === undefined || value === null
    ? null
    : typeof value === 'boolean'
      ? Number(value)
      : typeof value === 'bigint'
        ? Number(value)
        : (value as Value)

/** The part of the D1 API Drizzle's D1 driver and Kontor's writeBatch use, over a Durable Object's SQLite. */
function d1OverObjectSqlite(storage: DurableObjectStorage): D1Database {
  const exec = (query: string, params: Value[]) => {
    const cursor = storage.sql.exec(query, ...params)
    const rows = [...cursor.raw()]
    const columns = cursor.columnNames
    const changes = /^\s*(insert|update|delete|replace)\b/i.test(query)
      ? Number(storage.sql.exec('select changes() as n').one().n)
      : 0
    return { rows, columns, meta: { changes, rows_written: cursor.rowsWritten, rows_read: cursor.rowsRead } }
  }
  const objects = (result: ReturnType<typeof exec>) =>
    result.rows.map((row) => Object.fromEntries(result.columns.map((column, index) => [column, row[index]])))
  const statement = (query: string, params: Value[] = []): D1PreparedStatement =>
    ({
      query,
      params,
      bind: (...values: unknown[]) => statement(query, values.map(toValue)),
      all: async () => {
        const result = exec(query, params)
        return { results: objects(result), success: true, meta: result.meta }
      },
      run: async () => {
        const result = exec(query, params)
        return { results: objects(result), success: true, meta: result.meta }
      },
      raw: async () => exec(query, params).rows,
      first: async (column?: string) => {
        const row = objects(exec(query, params))[0] ?? null
        return column && row ? row[column] : row
      },
    }) as unknown as D1PreparedStatement
  return {
    prepare: (query: string) => statement(query),
    // D1's batch is one transaction; so is transactionSync, which rolls back when a statement throws.
    batch: async (list: D1PreparedStatement[]) =>
      storage.transactionSync(() =>
        list.map((item) => {
          const { query, params } = item as unknown as { query: string; params: Value[] }
          const result = exec(query, params)
          return { results: objects(result), success: true, meta: result.meta }
        })
      ),
    exec: async (query: string) => {
      storage.sql.exec(query)
      return { count: 1, duration: 0 }
    },
  } as unknown as D1Database
}

export class TenantStoreSpike extends DurableObject {
  migrate(statements: string[]) {
    this.ctx.storage.transactionSync(() => {
      for (const statement of statements) this.ctx.storage.sql.exec(statement)
    })
    return { tables: this.ctx.storage.sql.exec("select count(*) as n from sqlite_master where type = 'table'").one().n }
  }

  async importPages(pages: number, perPage: number) {
    const target = importTarget({ origin: 'backfill' })
    const { db: counted, counts } = countingD1(d1OverObjectSqlite(this.ctx.storage))
    const db = database(counted)
    const started = performance.now()
    const results: Record<string, number> = {}
    for (let page = 0; page < pages; page++) {
      const batch = Array.from({ length: perPage }, (_, index) => ({
        kind: 'order' as const,
        order: order({ number: `#${page}-${index}` }),
      }))
      const summary = await importRecords(db, target, batch)
      for (const [result, n] of Object.entries(summary.counts)) results[result] = (results[result] ?? 0) + (n ?? 0)
    }
    const ms = performance.now() - started
    // The same order again, unchanged: the importer's read finds it and writes nothing.
    const single = order()
    await importRecords(db, target, [{ kind: 'order', order: single }])
    const before = { ...counts }
    const again = await importRecords(db, target, [{ kind: 'order', order: single }])
    const unchangedStatements = counts.statements - before.statements
    // A compare-and-set guard that fails rolls back the whole batch, as it does on D1.
    const cursor = { connectionId: target.connectionId, kind: 'guard-check', cursor: 'x', updatedAt: 'x' }
    const failure = await writeBatch(db, [db.insert(syncCursors).values(cursor), guardStatement(db, sql`0 = 1`)]).catch(
      (error: unknown) => error
    )
    const leftBehind = db
      .select({ n: count() })
      .from(syncCursors)
      .where(sql`${syncCursors.kind} = 'guard-check'`)
      .get()
    // drizzle-orm/durable-sqlite reads the same schema in the same object.
    const durable = durableDrizzle(this.ctx.storage, { schema })
    const stored = durable.select({ n: count() }).from(orders).get()
    return {
      pages,
      perPage,
      results,
      ms: Math.round(ms),
      ordersPerSecond: Math.round((pages * perPage) / (ms / 1000)),
      statements: before.statements,
      roundTrips: before.roundTrips,
      rowsWritten: before.rowsWritten,
      unchanged: { result: again.orders[0]?.result, statements: unchangedStatements },
      failedGuard: { isGuardFailure: isGuardFailure(failure), rowsLeftBehind: (await leftBehind)?.n ?? -1 },
      ordersReadByDurableSqliteDrizzle: stored?.n ?? 0,
      databaseBytes: this.ctx.storage.sql.databaseSize,
    }
  }
}

type Env = { SPIKE: DurableObjectNamespace<TenantStoreSpike> }

export default {
  async fetch(request: Request, env: Env) {
    try {
      const url = new URL(request.url)
      const tenant = env.SPIKE.get(env.SPIKE.idFromName(url.searchParams.get('tenant') ?? 'spike'))
      if (url.pathname === '/migrate') return Response.json(await tenant.migrate(await request.json<string[]>()))
      return Response.json(
        await tenant.importPages(
          Number(url.searchParams.get('pages') ?? 4),
          Number(url.searchParams.get('perPage') ?? 250)
        )
      )
    } catch (error) {
      return new Response(error instanceof Error ? `${error.message}\n${error.stack}` : String(error), { status: 500 })
    }
  },
}
