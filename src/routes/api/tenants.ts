/**
 * Tenants, the operator's routes (issue 18): create, list (paged), read, change, suspend (DELETE:
 * at once; erased by the cron after the grace period) and restore. The operator acting for a
 * tenant (`X-Tenant-Id`) sees and changes that tenant alone. Transport over src/tenants/.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { actorOf } from '../../audit/audit-log'
import { notFound } from '../../core/errors'
import type { AppEnv } from '../../env'
import {
  createTenant,
  getTenant,
  listTenants,
  presentTenant,
  restoreTenant,
  suspendTenant,
  updateTenant,
} from '../../tenants/tenants'
import { requireOperator } from './auth'
import { dbOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, ErrorSchema, errorResponses, IdParam, json, jsonBody } from './schemas'

const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
const RetentionDays = z.number().int().min(1).max(3650).openapi({
  description: 'Days processed webhook bodies and import-log lines are kept (default 30)',
})
const CreateTenant = z.object({
  name: z.string().min(1).max(200),
  currency: Currency,
  retentionDays: RetentionDays.default(30),
})
const UpdateTenant = z
  .object({
    name: z.string().min(1).max(200).optional(),
    currency: Currency.optional().openapi({ description: 'Only while the tenant has no orders (else 409)' }),
    retentionDays: RetentionDays.optional(),
  })
  .openapi('TenantChange')
const Tenant = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    retentionDays: z.number().int(),
    createdAt: z.string(),
    suspendedAt: z.string().nullable(),
    eraseAfter: z.string().nullable().openapi({ description: 'When a suspended tenant’s data is erased' }),
  })
  .openapi('Tenant')
const CreatedTenant = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    retentionDays: z.number().int(),
    token: z.string(),
  })
  .openapi('TenantCreated')
const conflict = { 409: json(ErrorSchema, 'Not possible in the tenant’s state') }

/** The operator, and the tenant id of the path within what `X-Tenant-Id` allows. */
function operatorTenant(c: Context<AppEnv>, id: string): string {
  requireOperator(c.get('caller'))
  const actingFor = c.req.header('x-tenant-id')
  if (actingFor && actingFor !== id) throw notFound('tenant')
  return id
}

export const tenantRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/tenants',
      operationId: 'createTenant',
      tags: ['tenants'],
      summary: 'Create a tenant and its first token (operator)',
      request: jsonBody(CreateTenant),
      responses: { 201: json(CreatedTenant, 'The tenant and a token with every scope, shown once'), ...errorResponses },
    }),
    async (c) => {
      requireOperator(c.get('caller'))
      return c.json(await createTenant(dbOf(c), actorOf(c.get('caller')), c.req.valid('json')), 201)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/tenants',
      operationId: 'listTenants',
      tags: ['tenants'],
      summary: 'Tenants, newest first (operator)',
      request: { query: z.object(CursorQuery) },
      responses: {
        200: json(z.object({ items: z.array(Tenant), nextCursor: z.string().nullable() }), 'Tenants'),
        ...errorResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get('caller'))
      const only = c.req.header('x-tenant-id')
      return c.json(await listTenants(dbOf(c), { ...c.req.valid('query'), only }), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{id}',
      operationId: 'getTenant',
      tags: ['tenants'],
      summary: 'Read a tenant (operator)',
      request: { params: IdParam },
      responses: { 200: json(Tenant, 'The tenant'), ...errorResponses },
    }),
    async (c) => c.json(presentTenant(await getTenant(dbOf(c), operatorTenant(c, c.req.valid('param').id))), 200)
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/tenants/{id}',
      operationId: 'updateTenant',
      tags: ['tenants'],
      summary: 'Change name, retention, or the currency while the tenant has no orders (operator)',
      request: { params: IdParam, ...jsonBody(UpdateTenant) },
      responses: { 200: json(Tenant, 'The tenant'), ...errorResponses, ...conflict },
    }),
    async (c) => {
      const id = operatorTenant(c, c.req.valid('param').id)
      return c.json(await updateTenant(dbOf(c), actorOf(c.get('caller')), id, c.req.valid('json')), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/tenants/{id}',
      operationId: 'deleteTenant',
      tags: ['tenants'],
      summary: 'Suspend a tenant at once; its data is erased after the grace period (operator)',
      description:
        'Its tokens answer 401, its webhooks 410, its cron and queued work stop. `POST …/restore` undoes it until ' +
        '`eraseAfter` (TENANT_GRACE_DAYS, default 7); then the cron erases every row of the tenant in bounded batches.',
      request: { params: IdParam },
      responses: { 200: json(Tenant, 'The suspended tenant'), ...errorResponses },
    }),
    async (c) => {
      const id = operatorTenant(c, c.req.valid('param').id)
      return c.json(await suspendTenant(c.env, dbOf(c), actorOf(c.get('caller')), id), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{id}/restore',
      operationId: 'restoreTenant',
      tags: ['tenants'],
      summary: 'Undo a suspension within the grace period; parked work is sent again (operator)',
      request: { params: IdParam },
      responses: {
        200: json(Tenant.extend({ replayed: z.number().int() }), 'The restored tenant'),
        ...errorResponses,
        ...conflict,
      },
    }),
    async (c) => {
      const id = operatorTenant(c, c.req.valid('param').id)
      return c.json(await restoreTenant(c.env, dbOf(c), actorOf(c.get('caller')), id), 200)
    }
  )
