/** Small accessors handlers share: the caller's tenant for a scope, a database handle, a use case's ports. */
import type { Context } from 'hono'
import { database } from '../../db/client'
import type { AppEnv } from '../../env'
import { type Scope, tenantFor } from './auth'

export function tenantOf(c: Context<AppEnv>, scope: Scope): string {
  return tenantFor(c.get('caller'), scope, c.req.header('x-tenant-id'))
}

export function dbOf(c: Context<AppEnv>) {
  return database(c.env.DB)
}

/** The bindings and the database, as the use cases take them. */
export function portsOf(c: Context<AppEnv>) {
  return { env: c.env, db: dbOf(c) }
}
