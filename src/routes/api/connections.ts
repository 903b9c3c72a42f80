/**
 * Connections: a tenant's link to one platform account. Credentials are validated by the
 * connector, encrypted before they reach D1 and never returned; settings are validated with
 * their defaults filled in. Creating a connection that can be read starts its backfill.
 * Transport only: the use cases live in src/connection-setup/.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiRouter } from './router'
import { createConnection } from '../../connection-setup/create-connection'
import { deleteConnection } from '../../connection-setup/delete-connection'
import { setConnectionPaused } from '../../connection-setup/pause-connection'
import { listConnections, ownConnection } from '../../connection-setup/read-model'
import { startConnectionRun } from '../../connection-setup/start-run'
import { updateConnection } from '../../connection-setup/update-connection'
import { findConnector } from '../../connectors/registry'
import type { ConnectionRow } from '../../db/connections'
import { webhookPath } from '../../webhook-subscriptions/registration'
import { dbOf, portsOf, tenantOf } from './context'
import { CreateConnection, UpdateConnection } from './connection-schemas'
import { actorOf } from '../../audit/audit-log'
import { Anything, ErrorSchema, errorResponses, IdParam, json, jsonBody } from './schemas'

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
    pausedAt: z.string().nullable().openapi({
      description: 'Since when the connection is paused (no polls or backfills; webhooks still import), or null',
    }),
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
/** One live connection per platform account and tenant (issue 16). */
const accountTaken = {
  description: 'Another connection connects this platform account (named in the message)',
  content: { 'application/json': { schema: ErrorSchema } },
}
const pauseConflict = {
  description: 'Paused already (already_paused), or not paused (not_paused)',
  content: { 'application/json': { schema: ErrorSchema } },
}
const SyncRequest = z.object({ mode: z.enum(['poll', 'backfill']) })

function present(row: ConnectionRow, origin: string) {
  return {
    id: row.id,
    platform: row.platform,
    name: row.name,
    settings: row.settings,
    routes: row.routes,
    // Only platforms that push have a webhook endpoint (webhooks.ts answers 404 for the others).
    webhookUrl: findConnector(row.platform)?.verifyWebhook
      ? `${origin}${webhookPath(row.platform, row.id)}`
      : undefined,
    createdAt: row.createdAt,
    pausedAt: row.pausedAt,
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
        201: json(
          Connection,
          'The connection; webhookSecret only when Kontor generated it. Re-created for a platform account whose connection was deleted, it takes over that connection’s id and orders'
        ),
        409: accountTaken,
        ...errorResponses,
      },
    }),
    async (c) => {
      const created = await createConnection(
        portsOf(c),
        tenantOf(c, 'admin'),
        c.req.valid('json'),
        new URL(c.req.url).origin,
        actorOf(c.get('caller'))
      )
      return c.json(
        {
          ...present(created.row, new URL(c.req.url).origin),
          // Shown once, like the secret: where the platform needs more than the plain URL.
          webhookUrl: created.webhookUrl,
          webhookSecret: created.webhookSecret,
          backfillJobId: created.backfillJobId,
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
      const rows = await listConnections(dbOf(c), tenantOf(c, 'read'))
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
      responses: { 200: json(Connection, 'The connection'), 409: accountTaken, ...errorResponses },
    }),
    async (c) => {
      const origin = new URL(c.req.url).origin
      const row = await updateConnection(
        portsOf(c),
        tenantOf(c, 'admin'),
        c.req.valid('param').id,
        c.req.valid('json'),
        origin,
        actorOf(c.get('caller'))
      )
      return c.json(present(row, origin), 200)
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
      await deleteConnection(portsOf(c), tenantOf(c, 'admin'), c.req.valid('param').id, actorOf(c.get('caller')))
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
      const { mode } = c.req.valid('json')
      const jobId = await startConnectionRun(portsOf(c), tenantOf(c, 'admin'), c.req.valid('param').id, mode)
      return c.json({ jobId }, 202)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/connections/{id}/pause',
      operationId: 'pauseConnection',
      tags: ['connections'],
      summary: 'Pause: no polls or backfills until resumed; webhooks are still taken in',
      request: { params: IdParam },
      responses: { 200: json(Connection, 'The paused connection'), 409: pauseConflict, ...errorResponses },
    }),
    async (c) => {
      const row = await setConnectionPaused(
        dbOf(c),
        tenantOf(c, 'admin'),
        c.req.valid('param').id,
        true,
        actorOf(c.get('caller'))
      )
      return c.json(present(row, new URL(c.req.url).origin), 200)
    }
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/connections/{id}/resume',
      operationId: 'resumeConnection',
      tags: ['connections'],
      summary: 'Resume a paused connection; the next cron tick polls it from where it stopped',
      request: { params: IdParam },
      responses: { 200: json(Connection, 'The resumed connection'), 409: pauseConflict, ...errorResponses },
    }),
    async (c) => {
      const row = await setConnectionPaused(
        dbOf(c),
        tenantOf(c, 'admin'),
        c.req.valid('param').id,
        false,
        actorOf(c.get('caller'))
      )
      return c.json(present(row, new URL(c.req.url).origin), 200)
    }
  )
