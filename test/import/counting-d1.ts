/**
 * A D1 binding that counts what the importer asks of D1: every `prepare` is a statement; a round
 * trip is one `batch`, or one statement run on its own. Used by the statement-count tests and by
 * the bench (scripts/bench/d1-worker.ts), so both count the same way.
 */
export type D1Counts = { statements: number; roundTrips: number; batches: number }

export function countingD1(d1: D1Database) {
  const counts: D1Counts = { statements: 0, roundTrips: 0, batches: 0 }
  const real = new WeakMap<object, D1PreparedStatement>()
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapper = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values))
        const value = Reflect.get(target, key)
        if (key === 'run' || key === 'all' || key === 'first' || key === 'raw')
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
      if (key === 'prepare') return (query: string) => (counts.statements++, wrap(target.prepare(query)))
      if (key === 'batch')
        return (list: D1PreparedStatement[]) => {
          counts.roundTrips++
          counts.batches++
          return target.batch(list.map((statement) => real.get(statement) ?? statement))
        }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { db: db as D1Database, counts }
}
