/** One Drizzle handle per request or message; it is only a thin wrapper over the D1 binding. */
import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

export function database(d1: D1Database) {
  return drizzle(d1, { schema })
}

export type Database = ReturnType<typeof database>

export const nowIso = () => new Date().toISOString()
