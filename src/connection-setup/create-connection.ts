/**
 * Connecting a platform account: the credentials are validated by the connector (with what it
 * generates itself, e.g. a webhook secret), checked for unsafe URLs, encrypted before they reach
 * D1, then Kontor's webhooks are registered at the platform and, for a source that can be read,
 * the backfill starts. A failed webhook registration never fails the connection (it is shown and
 * retried by the cron).
 */
import { findConnector, supportedPlatforms } from '../connectors/registry'
import { encryptJson, keyringOf } from '../core/crypto'
import { ApiError } from '../core/errors'
import { randomId } from '../core/ids'
import { allowInsecureUrls } from '../core/url-policy'
import { nowIso } from '../db/client'
import { type ConnectionRow, forgetConnection } from '../db/connections'
import { accountKey } from '../account-identity/account-key'
import { claimAccount } from '../account-identity/claim-account'
import { startSync } from '../polling/start-sync-job'
import { type Registration, registerWebhooks, webhookPath } from '../webhook-subscriptions/registration'
import { checkRoutes, checkUrls, validate } from './connection-input'
import { type Actor, auditStatement, SYSTEM } from '../audit/audit-log'
import type { ConnectionSetupPorts } from './ports'

export type NewConnection = {
  platform: string
  name: string
  credentials: Record<string, unknown>
  settings: Record<string, unknown>
  routes: string[]
}

export type CreatedConnection = {
  row: ConnectionRow
  webhookRegistration: Registration | null
  /** Where the platform sends webhooks, as it must be registered there; absent for platforms Kontor only polls. */
  webhookUrl: string | undefined
  /** Only when Kontor generated it: shown once, never again. */
  webhookSecret: string | undefined
  backfillJobId: string | undefined
}

export async function createConnection(
  { env, db }: ConnectionSetupPorts,
  tenantId: string,
  input: NewConnection,
  /** Kontor's own origin, which the platform's webhooks are registered under. */
  origin: string,
  /** Who does it, for the audit row written with the connection. */
  who: Actor = SYSTEM
): Promise<CreatedConnection> {
  const connector = findConnector(input.platform)
  if (!connector) throw new ApiError(400, 'invalid_request', `platform: one of ${supportedPlatforms().join(', ')}`)
  const generated = connector.generatedCredentials?.(input.credentials as never) ?? {}
  const credentials = validate(connector.credentialsSchema, { ...input.credentials, ...generated }, 'credentials')
  const settings = validate(
    connector.newSettingsSchema ?? connector.settingsSchema,
    input.settings,
    'settings'
  ) as Record<string, unknown>
  checkUrls(connector, credentials, settings, allowInsecureUrls(env))
  await checkRoutes(db, tenantId, connector, input.routes)

  // The platform account's identity within the tenant is settled here, before the row is written:
  // 409 while another live connection holds the account; a deleted one's id is taken over (issue 16).
  const now = nowIso()
  const fresh = {
    id: randomId('con'),
    tenantId,
    platform: connector.platform,
    name: input.name,
    credentials: await encryptJson(keyringOf(env), credentials),
    settings,
    routes: input.routes,
    accountKey: await accountKey(connector, credentials, settings),
    createdAt: now,
    updatedAt: now,
  }
  const claimed = await claimAccount(db, keyringOf(env), fresh, (id) => [
    auditStatement(db, who, {
      tenantId,
      action: 'connection.created',
      targetId: id,
      details: { platform: fresh.platform, routes: fresh.routes },
    }),
  ])
  const row = { ...fresh, id: claimed.id, createdAt: claimed.createdAt }
  forgetConnection(row.id)
  const webhookRegistration = await registerWebhooks(env, db, { ...row, credentials }, origin)
  const backfillJobId =
    connector.role === 'source' && connector.fetchPage
      ? await startSync(db, env.INGEST, row, 'backfill', null)
      : undefined
  // Only platforms that push have a webhook endpoint (webhooks.ts answers 404 for the others).
  const plainWebhookUrl = connector.verifyWebhook ? `${origin}${webhookPath(row.platform, row.id)}` : undefined
  return {
    row: { ...row, sessionState: null, deletedAt: null, pollDueAt: null, pausedAt: null, webhookRegistration },
    webhookRegistration,
    webhookUrl: plainWebhookUrl && (connector.registeredWebhookUrl?.(plainWebhookUrl, credentials) ?? plainWebhookUrl),
    webhookSecret: (generated as { webhookSecret?: string }).webhookSecret,
    backfillJobId,
  }
}
