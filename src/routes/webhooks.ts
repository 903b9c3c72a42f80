/**
 * Webhook intake (SPEC §1): verify the signature on the raw bytes, dedupe on the delivery key,
 * store the raw event in the inbox and queue it, answer 202. No platform I/O and no parsing
 * beyond what verification and dedupe need, so it answers in milliseconds.
 */
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { findConnector } from '../connectors/registry'
import { ApiError, notFound } from '../core/errors'
import { randomId } from '../core/ids'
import { logger } from '../core/logger'
import { database, nowIso } from '../db/client'
import { loadConnectionForIntake } from '../db/connections'
import { inbox } from '../db/schema'
import type { AppEnv } from '../env'
import type { WebhookMessage } from '../queue/messages'

export const MAX_WEBHOOK_BYTES = 1024 * 1024

const decoder = new TextDecoder()

export const webhookRoutes = new Hono<AppEnv>().on(['POST', 'PUT'], '/:platform/:connectionId', async (c) => {
  const { platform, connectionId } = c.req.param()
  const declaredLength = Number(c.req.header('content-length') ?? 0)
  if (declaredLength > MAX_WEBHOOK_BYTES)
    throw new ApiError(413, 'payload_too_large', 'webhook bodies are limited to 1 MiB')

  const db = database(c.env.DB)
  const connection = await loadConnectionForIntake(db, c.env.ENCRYPTION_KEY, connectionId)
  const connector = findConnector(platform)
  if (!connection || connection.platform !== platform || !connector?.verifyWebhook) throw notFound('webhook endpoint')

  const body = new Uint8Array(await c.req.arrayBuffer())
  if (body.byteLength > MAX_WEBHOOK_BYTES)
    throw new ApiError(413, 'payload_too_large', 'webhook bodies are limited to 1 MiB')

  const credentials = connector.credentialsSchema.parse(connection.credentials)
  const verdict = await connector.verifyWebhook(
    { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body },
    credentials
  )
  if (verdict.kind === 'unauthorized') {
    logger.warn('webhook refused', { connectionId, platform, reason: verdict.reason })
    throw new ApiError(401, 'invalid_signature', 'the webhook signature does not verify')
  }
  if (verdict.kind === 'ping') {
    logger.info('webhook ping', { connectionId, platform })
    return c.body(null, 200)
  }
  if (verdict.kind === 'ignored') return c.json({ ignored: true, reason: verdict.reason }, 200)

  const id = randomId('inb')
  const stored = await db
    .insert(inbox)
    .values({
      id,
      connectionId,
      deliveryKey: verdict.deliveryKey,
      topic: verdict.topic,
      body: decoder.decode(body),
      receivedAt: nowIso(),
    })
    .onConflictDoNothing()
    .returning({ id: inbox.id })
  if (!stored.length) return c.json({ duplicate: true }, 200)

  try {
    await c.env.INGEST.send({ type: 'webhook', inboxId: id } satisfies WebhookMessage)
  } catch (error) {
    // Without its queue message the row would never be imported, and a redelivery would be
    // taken for a duplicate: remove it so the platform's retry starts afresh.
    await db.run(sql`delete from ${inbox} where ${inbox.id} = ${id}`)
    logger.error('webhook could not be queued', { connectionId, error: String(error) })
    throw new ApiError(503, 'unavailable', 'the webhook could not be queued; please retry')
  }
  return c.json({ accepted: true }, 202)
})
