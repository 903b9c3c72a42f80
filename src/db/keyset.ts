/** Opaque cursors for keyset paging on (time, id): stable while new rows keep arriving. */
import { and, eq, lt, or, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { ApiError } from '../core/errors'

export function encodeCursor(time: string, id: string): string {
  return btoa(JSON.stringify([time, id])).replace(/=+$/, '')
}

export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value = JSON.parse(atob(cursor))
    return Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')
      ? (value as [string, string])
      : null
  } catch {
    return null
  }
}

/**
 * The filter for the rows after `cursor` in newest-first (time, id) order; undefined on the first
 * page. A cursor this API did not give out is a 400.
 */
export function afterCursor(cursor: string | undefined, time: SQLiteColumn, id: SQLiteColumn): SQL | undefined {
  if (!cursor) return undefined
  const position = decodeCursor(cursor)
  if (!position) throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API gave out')
  return or(lt(time, position[0]), and(eq(time, position[0]), lt(id, position[1])))
}

/** One page of rows read with `limit + 1`, and the cursor of the next page when there is one. */
export function keysetPage<T>(rows: T[], limit: number, key: (row: T) => [string, string]) {
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(...key(last)) : null }
}
