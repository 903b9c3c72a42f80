/**
 * Inserts any number of rows in one statement. D1 binds at most 100 values per statement, so a
 * multi-row VALUES list would have to be split by column count; here the rows travel as one JSON
 * parameter and SQLite unpacks them with json_each. Rows that already exist are left alone.
 */
import { getTableColumns, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from './client'

export function insertRowsIgnoringConflicts<Table extends SQLiteTable>(
  db: Database,
  table: Table,
  rows: Table['$inferInsert'][]
) {
  const columns = getTableColumns(table)
  // The keys rows give; a key one row leaves out is NULL for it, not the column's default.
  const keys = [
    ...new Set(
      rows.flatMap((row) => Object.keys(row).filter((key) => (row as Record<string, unknown>)[key] !== undefined))
    ),
  ]
  const names = keys.map((key) => sql.identifier(columns[key].name))
  // `->>` gives SQL values: numbers stay numbers, objects and arrays their JSON text (so a JSON
  // column holding a bare string would lose its quotes; none of the tables used here has one).
  const values = keys.map((key) => sql`value ->> ${key}`)
  return db.run(sql`insert into ${table} (${sql.join(names, sql`, `)})
    select ${sql.join(values, sql`, `)} from json_each(${JSON.stringify(rows)}) where true
    on conflict do nothing`)
}
