/**
 * What a tenant sends for a connection, checked before anything is written: credentials and
 * settings through the connector's schemas (each error names its field), every URL they make
 * through the one outbound checker, and routes that lead only to the tenant's destinations.
 * Create and update share these checks, so a PATCH can never store what a POST would refuse.
 */
import type { ZodError, ZodType } from 'zod'
import { findConnector } from '../connectors/registry'
import type { Connector } from '../connectors/types'
import { ApiError } from '../core/errors'
import { unsafeUrlReason } from '../core/url-safety'
import type { Database } from '../db/client'
import { liveConnectionsAmong } from './read-model'

function fieldError(where: string, error: ZodError): ApiError {
  const issue = error.issues[0]
  const path = [where, ...issue.path.map(String)].join('.')
  return new ApiError(400, 'invalid_request', `${path}: ${issue.message}`)
}

export function validate<T>(schema: ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw fieldError(where, parsed.error)
  return parsed.data
}

/**
 * Every URL a tenant sets goes through the one outbound checker (src/core/url-safety.ts): the
 * platform URL its credentials make (WooCommerce siteUrl, plenty url, Cartum domain, Shopify
 * shopDomain) and settings.baseUrl, each named in the 400.
 */
export function checkUrls(
  connector: Connector,
  credentials: Record<string, unknown>,
  settings: { baseUrl?: string },
  allowInsecure: boolean
) {
  const platformUrl = connector.apiBaseUrl(credentials)
  const field =
    Object.entries(credentials).find(
      ([, value]) => typeof value === 'string' && value.length > 0 && platformUrl.includes(value)
    )?.[0] ?? null
  const urls: [string, string][] = [[field ? `credentials.${field}` : 'credentials', platformUrl]]
  if (settings.baseUrl !== undefined) urls.push(['settings.baseUrl', settings.baseUrl])
  for (const [where, url] of urls) {
    const reason = unsafeUrlReason(url, allowInsecure)
    if (reason) throw new ApiError(400, 'invalid_request', `${where}: ${url} ${reason}`)
  }
}

/** Routes lead from a source to destination connections of the same tenant, and nowhere else. */
export async function checkRoutes(db: Database, tenantId: string, connector: Connector, routes: string[]) {
  if (!routes.length) return
  if (connector.role !== 'source')
    throw new ApiError(
      400,
      'invalid_request',
      `routes: ${connector.platform} is a destination; only sources have routes`
    )
  const found = await liveConnectionsAmong(db, tenantId, routes)
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
