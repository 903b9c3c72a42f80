/** Small accessors handlers share: the caller's tenant for a scope, and a database handle. */
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
