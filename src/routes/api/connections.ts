/**
 * Connections: a tenant's link to one platform account. Credentials are validated by the
 * connector, encrypted before they reach D1 and never returned; settings are validated with
 * their defaults filled in. Creating a connection that can be read starts its backfill.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { ZodError } from 'zod'
import { findConnector, findSourceConnector, supportedPlatforms } from '../../connectors/registry'
import type { Connector } from '../../connectors/types'
import { allowInsecureUrls } from '../../connectors/context'
import { encryptJson, keyringOf } from '../../core/crypto'
import { ApiError, notFound } from '../../core/errors'
import { randomId } from '../../core/ids'
import { unsafeUrlReason } from '../../core/url-safety'
import { type Database, nowIso } from '../../db/client'
import { type ConnectionRow, forgetConnection, openConnection } from '../../db/connections'
import { connections, syncCursors } from '../../db/schema'
import type { Bindings } from '../../env'
import { registerWebhooks, unregisterWebhooks } from '../../connections/webhook-registration'
import { startSync } from '../../sync/start-sync'
import { dbOf, tenantOf } from './context'
import { BoundedRecord, MAX_ROUTES, RouteId } from './limits'
import { Anything, errorResponses, IdParam, json, jsonBody } from './schemas'

const CreateConnection = z.object({
  platform: z.string().max(50),
  name: z.string().min(1).max(200),
  credentials: BoundedRecord,
  settings: BoundedRecord.default({}),
  routes: z.array(RouteId).max(MAX_ROUTES).default([]),
})
const UpdateConnection = z.object({
  name: z.string().min(1).max(200).optional(),
  credentials: BoundedRecord.optional(),
  settings: BoundedRecord.optional(),
  routes: z.array(RouteId).max(MAX_ROUTES).optional(),
})
const Connection = z
  .object({
    id: z.string(),
    platform: z.string(),
    name: z.string(),
    settings: Anything,
    routes: z.array(z.string()),
    webhookUrl: z.string().optional().openapi({
      description: 'Where the platform sends webhooks; absent for platforms Kontor only polls (plentymarkets, Billbee)',
    }),
    createdAt: z.string(),
    webhookRegistration: z
      .object({
        state: z.enum(['registered', 'failed', 'not_registered']),
        checkedAt: z.string(),
        reregistered: z.number().int().optional().openapi({
          description: 'How often the health check registered them again after the platform disabled or deleted one',
        }),
        error: z.string().optional(),
      })
      .optional()
      .openapi({
        description:
          "Kontor's webhooks at the platform (settings.registerWebhooks): registered on create, checked every 15 minutes, removed on delete",
      }),
    webhookSecret: z.string().optional(),
    backfillJobId: z.string().optional(),
  })
  .openapi('Connection')
const SyncRequest = z.object({ mode: z.enum(['poll', 'backfill']) })

function fieldError(where: string, error: ZodError): ApiError {
  const issue = error.issues[0]
  const path = [where, ...issue.path.map(String)].join('.')
  return new ApiError(400, 'invalid_request', `${path}: ${issue.message}`)
}

function validate<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw fieldError(where, parsed.error)
  return parsed.data
}

/**
 * Every URL a tenant sets goes through the one outbound checker (src/core/url-safety.ts): the
 * platform URL its credentials make (WooCommerce siteUrl, plenty url, Cartum domain, Shopify
 * shopDomain) and settings.baseUrl, each named in the 400.
 */
function checkUrls(
  env: Bindings,
  connector: Connector<any, any>,
  credentials: Record<string, unknown>,
  settings: { baseUrl?: string }
) {
  const platformUrl = connector.apiBaseUrl(credentials)
  const field =
    Object.entries(credentials).find(
      ([, value]) => typeof value === 'string' && value.length > 0 && platformUrl.includes(value)
    )?.[0] ?? null
  const urls: [string, string][] = [[field ? `credentials.${field}` : 'credentials', platformUrl]]
  if (settings.baseUrl !== undefined) urls.push(['settings.baseUrl', settings.baseUrl])
  for (const [where, url] of urls) {
    const reason = unsafeUrlReason(url, allowInsecureUrls(env))
    if (reason) throw new ApiError(400, 'invalid_request', `${where}: ${url} ${reason}`)
  }
}

/** Routes lead from a source to destination connections of the same tenant, and nowhere else. */
async function checkRoutes(db: Database, tenantId: string, connector: Connector, routes: string[]) {
  if (!routes.length) return
  if (connector.role !== 'source')
    throw new ApiError(
      400,
      'invalid_request',
      `routes: ${connector.platform} is a destination; only sources have routes`
    )
  const found = await db
    .select({ id: connections.id, platform: connections.platform })
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), inArray(connections.id, routes), isNull(connections.deletedAt)))
  const missing = routes.find((id) => !found.some((row) => row.id === id))
  if (missing) throw new ApiError(400, 'invalid_request', `routes: connection ${missing} not found`)
  const notDestination = found.find((row) => findConnector(row.platform)?.role !== 'destination')
  if (notDestination)
    throw new ApiError(
      400,
      'invalid_request',
      `routes: connection ${notDestination.id} is ${notDestination.platform}, which cannot receive orders`
    )
}

function present(row: ConnectionRow, origin: string) {
  return {
    id: row.id,
    platform: row.platform,
    name: row.name,
    settings: row.settings,
    routes: row.routes,
    // Only platforms that push have a webhook endpoint (webhooks.ts answers 404 for the others).
    webhookUrl: findConnector(row.platform)?.verifyWebhook ? `${origin}/webhooks/${row.platform}/${row.id}` : undefined,
    createdAt: row.createdAt,
    // The state only: the platform's ids stay internal.
    webhookRegistration: row.webhookRegistration
      ? {
          state: row.webhookRegistration.state,
          checkedAt: row.webhookRegistration.checkedAt,
          reregistered: row.webhookRegistration.reregistered,
          error: row.webhookRegistration.error,
        }
      : undefined,
  }
}

async function ownConnection(db: Database, tenantId: string, id: string) {
  const row = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
    .get()
  if (!row) throw notFound('connection')
  return row
}

export const connectionRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/connections',
      operationId: 'createConnection',
      tags: ['connections'],
      summary: 'Connect a platform account; starts its backfill',
      request: jsonBody(CreateConnection),
      responses: {
        201: json(Connection, 'The connection; webhookSecret only when Kontor generated it'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const body = c.req.valid('json')
      const connector = findConnector(body.platform)
      if (!connector) throw new ApiError(400, 'invalid_request', `platform: one of ${supportedPlatforms().join(', ')}`)
      const generated = connector.generatedCredentials?.(body.credentials as never) ?? {}
      const credentials = validate(connector.credentialsSchema, { ...body.credentials, ...generated }, 'credentials')
      const settings = validate(
        connector.newSettingsSchema ?? connector.settingsSchema,
        body.settings,
        'settings'
      ) as Record<string, unknown>
      checkUrls(c.env, connector, credentials, settings)
      const db = dbOf(c)
      await checkRoutes(db, tenantId, connector, body.routes)

      const now = nowIso()
      const row = {
        id: randomId('con'),
        tenantId,
        platform: connector.platform,
        name: body.name,
        credentials: await encryptJson(keyringOf(c.env), credentials),
        settings,
        routes: body.routes,
        createdAt: now,
        updatedAt: now,
      }
      await db.insert(connections).values(row)
      const origin = new URL(c.req.url).origin
      const webhookRegistration = await registerWebhooks(c.env, db, { ...row, credentials }, origin)
      const backfillJobId =
        connector.role === 'source' && connector.fetchPage
          ? await startSync(db, c.env.INGEST, row, 'backfill', null)
          : undefined
      const webhookSecret = (generated as { webhookSecret?: string }).webhookSecret
      const presented = present({ ...row, sessionState: null, deletedAt: null, webhookRegistration }, origin)
      return c.json(
        {
          ...presented,
          // Shown once, like the secret: where the platform needs more than the plain URL.
          webhookUrl:
            presented.webhookUrl &&
            (connector.registeredWebhookUrl?.(presented.webhookUrl, credentials) ?? presented.webhookUrl),
          webhookSecret,
          backfillJobId,
        },
        201
      )
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/connections',
      operationId: 'listConnections',
      tags: ['connections'],
      summary: 'List connections',
      responses: { 200: json(z.object({ items: z.array(Connection) }), 'Connections'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'read')
      const rows = await dbOf(c)
        .select()
        .from(connections)
        .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
      const origin = new URL(c.req.url).origin
      return c.json({ items: rows.map((row) => present(row, origin)) }, 200)
    }
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/connections/{id}',
      operationId: 'getConnection',
      tags: ['connections'],
      summary: 'Read a connection (never its credentials)',
      request: { params: IdParam },
      responses: { 200: json(Connection, 'The connection'), ...errorResponses },
    }),
    async (c) => {
      const row = await ownConnection(dbOf(c), tenantOf(c, 'read'), c.req.valid('param').id)
      return c.json(present(row, new URL(c.req.url).origin), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/connections/{id}',
      operationId: 'updateConnection',
      tags: ['connections'],
      summary: 'Change name, credentials (replaced whole, or merged key by key), settings or routes',
      request: { params: IdParam, ...jsonBody(UpdateConnection) },
      responses: { 200: json(Connection, 'The connection'), ...errorResponses },
    }),
    async (c) => {
      const tenantId = tenantOf(c, 'admin')
      const db = dbOf(c)
      const row = await ownConnection(db, tenantId, c.req.valid('param').id)
      const body = c.req.valid('json')
      const connector = findConnector(row.platform)!
      const current = await openConnection(row, keyringOf(c.env))
      const credentials = validate(
        connector.credentialsSchema,
        { ...current.credentials, ...body.credentials },
        'credentials'
      )
      const settings = validate(connector.settingsSchema, { ...row.settings, ...body.settings }, 'settings') as Record<
        string,
        unknown
      >
      checkUrls(c.env, connector, credentials, settings)
      if (body.routes) await checkRoutes(db, tenantId, connector, body.routes)
      const changes = {
        name: body.name ?? row.name,
        credentials: body.credentials ? await encryptJson(keyringOf(c.env), credentials) : row.credentials,
        // New credentials invalidate any cached platform session.
        sessionState: body.credentials ? null : row.sessionState,
        settings,
        routes: body.routes ?? row.routes,
        updatedAt: nowIso(),
      }
      await db.update(connections).set(changes).where(eq(connections.id, row.id))
      forgetConnection(row.id)
      return c.json(present({ ...row, ...changes }, new URL(c.req.url).origin), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/connections/{id}',
      operationId: 'deleteConnection',
      tags: ['connections'],
      summary: 'Disconnect; imported orders stay in the hub',
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const db = dbOf(c)
      const row = await ownConnection(db, tenantOf(c, 'admin'), c.req.valid('param').id)
      await unregisterWebhooks(c.env, db, await openConnection(row, keyringOf(c.env)), row.webhookRegistration)
      await db.update(connections).set({ deletedAt: nowIso(), sessionState: null }).where(eq(connections.id, row.id))
      forgetConnection(row.id)
      return c.body(null, 204)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/connections/{id}/sync',
      operationId: 'syncConnection',
      tags: ['connections'],
      summary: 'Start a poll or a backfill now',
      request: { params: IdParam, ...jsonBody(SyncRequest) },
      responses: { 202: json(z.object({ jobId: z.string() }), 'Started'), ...errorResponses },
    }),
    async (c) => {
      const db = dbOf(c)
      const row = await ownConnection(db, tenantOf(c, 'admin'), c.req.valid('param').id)
      if (!findSourceConnector(row.platform)?.fetchPage)
        throw new ApiError(400, 'invalid_request', `${row.platform} cannot be polled`)
      const { mode } = c.req.valid('json')
      const cursor = mode === 'poll' ? await lastPollCursor(db, row.id) : null
      const jobId = await startSync(db, c.env.INGEST, row, mode, mode === 'poll' ? (cursor ?? row.createdAt) : null)
      return c.json({ jobId }, 202)
    }
  )

async function lastPollCursor(db: Database, connectionId: string): Promise<string | null> {
  const row = await db
    .select({ cursor: syncCursors.cursor })
    .from(syncCursors)
    .where(and(eq(syncCursors.connectionId, connectionId), eq(syncCursors.kind, 'poll')))
    .get()
  return row?.cursor ?? null
}
