/**
 * The OpenAPI 3.1 document (`GET /api/v1/openapi.json`): one document for the whole Worker,
 * generated from the zod route definitions. API paths carry their `/api/v1` prefix and `servers`
 * names the origin that served the document, so every path resolves as it stands.
 *
 * Conventions for API routes (operationId, bearerAuth, X-Tenant-Id, common errors) are applied
 * by `apiRouter()` (src/routes/api/router.ts); this file declares the components they refer to and
 * documents the public routes that are not zod-validated (webhook intake, the document itself).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { BEARER_AUTH, TENANT_HEADER_PARAMETER } from './api/router'
import { commonErrorResponses, ErrorSchema } from './api/schemas'

export const OPENAPI_PATH = '/api/v1/openapi.json'

export function openApiConfig(origin: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kontor API',
      version: '1.0.0',
      description:
        'Order-sync gateway: webhook intake, and the admin and back-office API under /api/v1 ' +
        '(`Authorization: Bearer <token>`: the operator token or a tenant token).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: origin, description: 'The Kontor that served this document' }],
    tags: [
      { name: 'tenants', description: 'Tenants and their API tokens' },
      { name: 'connections', description: 'Platform accounts a tenant connects' },
      { name: 'orders', description: 'Orders in the hub and the events reported on them' },
      { name: 'catalogue', description: 'Products, customers and categories imports created' },
      { name: 'operations', description: 'Import log, dead letters and other operator views' },
      { name: 'privacy', description: "Customers' data requests received from the platforms" },
      { name: 'public', description: 'Unauthenticated routes: health, webhook intake, this document' },
    ],
  }
}

const errorBody = { 'application/json': { schema: ErrorSchema } }

/** Public routes: `security: []`, documented here or in app.ts. */
export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['public'],
  summary: 'Liveness: 200 once D1 answers',
  security: [],
  responses: {
    200: { description: 'D1 answers', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } },
    500: commonErrorResponses[500],
  },
})

function webhookRoute(method: 'post' | 'put') {
  return createRoute({
    method,
    path: '/webhooks/{platform}/{connectionId}',
    operationId: method === 'post' ? 'receiveWebhook' : 'receiveWebhookPut',
    tags: ['public'],
    summary:
      method === 'post'
        ? "A platform's webhook: verified on the raw bytes, deduplicated, queued"
        : 'The same intake for platforms that deliver with PUT (Cartum)',
    description:
      "The connection's `webhookUrl`. The body is the platform's own payload (JSON; WooCommerce's " +
      'ping is form-encoded) and authenticates by its signature headers (Cartum: the `key` query ' +
      'parameter), not by a bearer token. At most 1 MiB.',
    security: [],
    request: {
      params: z.object({
        platform: z.string().openapi({ description: 'The connection’s platform, e.g. `shopify`' }),
        connectionId: z.string().openapi({ description: 'The connection id' }),
      }),
      query: z.object({
        key: z.string().optional().openapi({ description: 'Cartum only: the generated webhook secret' }),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.unknown().openapi({ description: "The platform's payload" }) },
          'application/x-www-form-urlencoded': {
            schema: z.object({ webhook_id: z.string() }).openapi({ description: "WooCommerce's ping" }),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'A ping, a duplicate delivery, or an event Kontor does not import (acknowledged)',
        content: {
          'application/json': {
            schema: z.object({
              duplicate: z.boolean().optional(),
              ignored: z.boolean().optional(),
              reason: z.string().optional(),
            }),
          },
        },
      },
      202: {
        description: 'Stored and queued for import',
        content: { 'application/json': { schema: z.object({ accepted: z.literal(true) }) } },
      },
      401: { description: 'The signature is missing or does not verify', content: errorBody },
      404: {
        description: 'No such connection, or it is not of this platform or takes no webhooks',
        content: errorBody,
      },
      413: { description: 'The body is over 1 MiB', content: errorBody },
      500: commonErrorResponses[500],
      503: { description: 'The event could not be queued; the platform should retry', content: errorBody },
    },
  })
}

const documentRoute = createRoute({
  method: 'get',
  path: OPENAPI_PATH,
  operationId: 'getOpenApiDocument',
  tags: ['public'],
  summary: 'This document',
  security: [],
  responses: {
    200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: z.looseObject({}) } } },
    500: commonErrorResponses[500],
  },
})

/** Declares the shared components and the public routes served by plain Hono handlers. */
export function documentPublicRoutes(app: OpenAPIHono<AppEnv>) {
  const registry = app.openAPIRegistry
  registry.registerComponent('securitySchemes', BEARER_AUTH, {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token (the ADMIN_TOKEN secret) or a tenant token (`kt_…`)',
  })
  registry.registerComponent('parameters', TENANT_HEADER_PARAMETER, {
    name: 'X-Tenant-Id',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description:
      'Operator token only: the tenant to act for (routes that act for one tenant need it; an ' +
      'unknown tenant answers 404). A tenant token always acts for its own tenant.',
  })
  registry.registerPath(webhookRoute('post'))
  registry.registerPath(webhookRoute('put'))
  registry.registerPath(documentRoute)
}
