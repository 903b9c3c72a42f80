/**
 * Runs a list of Drizzle statements as one D1 batch (one transaction). Drizzle's own `batch`
 * cannot carry raw `sql` statements with parameters, which the importer needs for conditional
 * inserts, so statements are compiled here and bound on the D1 client directly.
 */
import type { Database } from './client'

export type Statement =
  { toSQL(): { sql: string; params: unknown[] } } | { getQuery(): { sql: string; params: unknown[] } }

function compile(statement: Statement) {
  return 'toSQL' in statement ? statement.toSQL() : statement.getQuery()
}

export async function writeBatch(db: Database, statements: Statement[]): Promise<D1Result[]> {
  if (!statements.length) return []
  const client = db.$client
  return client.batch(
    statements.map((statement) => {
      const { sql, params } = compile(statement)
      return client.prepare(sql).bind(...params)
    })
  )
}
