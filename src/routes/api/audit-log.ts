/**
 * The audit trail (issue 18): who — a token id, or the operator acting for a tenant — did what to
 * which id, and when. A tenant token (admin scope) reads its tenant's rows; the operator those of
 * the tenant in `X-Tenant-Id`, or without it its own tenant-less actions (re-encryption, erasures).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { AUDIT_ACTIONS, listAuditLog } from '../../audit/audit-log'
import { requireScope } from './auth'
import { dbOf } from './context'
import { apiRouter } from './router'
import { CursorQuery, errorResponses, json } from './schemas'

const Entry = z
  .object({
    id: z.string(),
    actor: z.enum(['operator', 'token', 'system']),
    actorTokenId: z.string().nullable().openapi({ description: 'The token that acted, when `actor` is `token`' }),
    action: z.enum(AUDIT_ACTIONS),
    targetId: z.string(),
    details: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'Ids and field names; never secrets' }),
    at: z.string(),
  })
  .openapi('AuditEntry')

export const auditLogRoutes = apiRouter().openapi(
  createRoute({
    method: 'get',
    path: '/audit-log',
    operationId: 'listAuditLog',
    tags: ['operations'],
    summary: 'Who changed what, newest first',
    request: { query: z.object({ ...CursorQuery, action: z.enum(AUDIT_ACTIONS).optional() }) },
    responses: {
      200: json(z.object({ items: z.array(Entry), nextCursor: z.string().nullable() }), 'Audit entries'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const caller = c.get('caller')
    requireScope(caller, 'admin')
    const tenantId = caller.kind === 'tenant' ? caller.tenantId : (c.req.header('x-tenant-id') ?? null)
    const { page, nextCursor } = await listAuditLog(dbOf(c), { tenantId, ...c.req.valid('query') })
    return c.json(
      {
        items: page.map(({ tenantId: _tenant, ...entry }) => entry as z.infer<typeof Entry>),
        nextCursor,
      },
      200
    )
  }
)
