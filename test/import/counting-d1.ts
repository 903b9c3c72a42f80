/**
 * A D1 binding that counts what the importer asks of D1: every `prepare` is a statement; a round
 * trip is one `batch`, or one statement run on its own. Used by the statement-count tests and by
 * the bench (scripts/bench/d1-worker.ts, lifecycle-worker.ts), so both count the same way.
 *
 * It also adds up D1's own `meta.rows_written` (what Cloudflare bills, index entries included).
 * `raw()` gives no meta, so a write run through `raw()` (Drizzle's `returning`) is run with `all()`
 * instead and its rows handed back as arrays, in the column order of the returning clause.
 */
export type D1Counts = { statements: number; roundTrips: number; batches: number; rowsWritten: number }

const WRITE = /^\s*(insert|update|delete|replace)\b/i

/** `log`, when given, gets the SQL of every statement prepared (the bench's per-step listing). */
export function countingD1(d1: D1Database, log?: string[]) {
  const counts: D1Counts = { statements: 0, roundTrips: 0, batches: 0, rowsWritten: 0 }
  const real = new WeakMap<object, D1PreparedStatement>()
  const written = (result: D1Result | undefined) => (counts.rowsWritten += result?.meta?.rows_written ?? 0)
  const wrap = (statement: D1PreparedStatement, query: string): D1PreparedStatement => {
    const wrapper = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), query)
        if (key === 'raw' && WRITE.test(query))
          return async () => {
            counts.roundTrips++
            const result = await target.all<Record<string, unknown>>()
            written(result)
            return result.results.map((row) => Object.values(row))
          }
        const value = Reflect.get(target, key)
        if (key === 'run' || key === 'all')
          return async (...args: unknown[]) => {
            counts.roundTrips++
            const result = await (value as (...args: unknown[]) => Promise<D1Result>).apply(target, args)
            written(result)
            return result
          }
        if (key === 'first' || key === 'raw')
          return (...args: unknown[]) => (
            counts.roundTrips++,
            (value as (...args: unknown[]) => unknown).apply(target, args)
          )
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    real.set(wrapper, statement)
    return wrapper
  }
  const db = new Proxy(d1, {
    get(target, key) {
      if (key === 'prepare')
        return (query: string) => (counts.statements++, log?.push(query), wrap(target.prepare(query), query))
      if (key === 'batch')
        return async (list: D1PreparedStatement[]) => {
          counts.roundTrips++
          counts.batches++
          const results = await target.batch(list.map((statement) => real.get(statement) ?? statement))
          for (const result of results) written(result)
          return results
        }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { db: db as D1Database, counts }
}
