/**
 * Webhook intake (SPEC §1): verify the signature on the raw bytes, then hand the delivery to the
 * INGEST queue and answer 202. No platform I/O and no parsing beyond what verification and the
 * delivery key need, so it answers in milliseconds.
 *
 * Why this is safe without a D1 write here: a 202 is given only once the queue accepted the
 * message, and a queue message is durable (it is retried, and ends in the dead-letter table).
 * The message carries the verified body and its delivery key; the consumer writes the inbox row
 * under the unique (connection, delivery key) index before importing, so a duplicate delivery
 * finds the row and ends as the same one order, and operators still read and replay raw events.
 * Bodies too large for a queue message (over ~100 KB) take the old path: inbox row first, then
 * a message naming it.
 */
import { Hono } from 'hono'
import { findConnector } from '../connectors/registry'
import { ApiError, notFound } from '../core/errors'
import { logger } from '../core/logger'
import { database, nowIso } from '../db/client'
import { keyringOf } from '../core/crypto'
import { type LoadedConnection, loadConnectionForIntake } from '../db/connections'
import { removeDelivery, storeDelivery } from '../db/inbox'
import type { AppEnv } from '../env'
import type { DeliveryMessage, WebhookMessage } from '../queue/messages'

export const MAX_WEBHOOK_BYTES = 1024 * 1024
/** A queue message holds 128 KB; larger deliveries are stored in D1 first and the message names the row. */
const MAX_QUEUED_MESSAGE_BYTES = 100 * 1024
const encoder = new TextEncoder()

const decoder = new TextDecoder()

/**
 * Whether a delivery fits a queue message without serialising it to find out: JSON writes a string
 * in at most 6 bytes per UTF-16 unit or body byte (`\u00XX`), plus the field names and the date.
 * Only when this bound is too high is the message measured exactly.
 */
function surelyFitsMessage(delivery: DeliveryMessage, bodyBytes: number) {
  const units = bodyBytes + delivery.connectionId.length + delivery.deliveryKey.length + delivery.topic.length
  return units * 6 + 256 <= MAX_QUEUED_MESSAGE_BYTES
}

/**
 * Credentials as the connector's schema parses them, per loaded connection: the intake cache
 * hands out the same connection object for its 3 s, so a burst parses them once.
 */
const parsedCredentials = new WeakMap<object, unknown>()
function credentialsOf(connection: LoadedConnection, schema: { parse: (value: unknown) => unknown }) {
  let parsed = parsedCredentials.get(connection)
  if (parsed === undefined) {
    parsed = schema.parse(connection.credentials)
    parsedCredentials.set(connection, parsed)
  }
  return parsed
}

export const webhookRoutes = new Hono<AppEnv>().on(['POST', 'PUT'], '/:platform/:connectionId', async (c) => {
  const { platform, connectionId } = c.req.param()
  const declaredLength = Number(c.req.header('content-length') ?? 0)
  if (declaredLength > MAX_WEBHOOK_BYTES)
    throw new ApiError(413, 'payload_too_large', 'webhook bodies are limited to 1 MiB')

  const db = database(c.env.DB)
  const keys = keyringOf(c.env)
  const connection = await loadConnectionForIntake(db, keys, connectionId)
  const connector = findConnector(platform)
  if (!connection || connection.platform !== platform || !connector?.verifyWebhook) throw notFound('webhook endpoint')
  if (connection.tenantSuspended) throw new ApiError(410, 'gone', 'this account is suspended')

  const body = new Uint8Array(await c.req.arrayBuffer())
  if (body.byteLength > MAX_WEBHOOK_BYTES)
    throw new ApiError(413, 'payload_too_large', 'webhook bodies are limited to 1 MiB')

  const request = { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body }
  let verdict = await connector.verifyWebhook(request, credentialsOf(connection, connector.credentialsSchema))
  if (verdict.kind === 'unauthorized') {
    // The cached credentials may predate a rotated secret (or a deletion): read D1 before refusing.
    const fresh = await loadConnectionForIntake(db, keys, connectionId, { fresh: true })
    if (!fresh || fresh.platform !== platform) throw notFound('webhook endpoint')
    verdict = await connector.verifyWebhook(request, connector.credentialsSchema.parse(fresh.credentials))
  }
  if (verdict.kind === 'unauthorized') {
    logger.warn('webhook refused', { connectionId, platform, reason: verdict.reason })
    throw new ApiError(401, 'invalid_signature', 'the webhook signature does not verify')
  }
  if (verdict.kind === 'ping') {
    logger.info('webhook ping', { connectionId, platform })
    return c.body(null, 200)
  }
  if (verdict.kind === 'ignored') return c.json({ ignored: true, reason: verdict.reason }, 200)

  const receivedAt = nowIso()
  const text = decoder.decode(body)
  const delivery: DeliveryMessage = {
    type: 'delivery',
    connectionId,
    deliveryKey: verdict.deliveryKey,
    topic: verdict.topic,
    body: text,
    receivedAt,
  }
  const fitsMessage =
    surelyFitsMessage(delivery, body.byteLength) ||
    encoder.encode(JSON.stringify(delivery)).byteLength <= MAX_QUEUED_MESSAGE_BYTES
  if (fitsMessage) {
    try {
      await c.env.INGEST.send(delivery)
    } catch (error) {
      logger.error('webhook could not be queued', { connectionId, error: String(error) })
      throw new ApiError(503, 'unavailable', 'the webhook could not be queued; please retry')
    }
    return c.json({ accepted: true }, 202)
  }

  const id = await storeDelivery(db, {
    connectionId,
    deliveryKey: verdict.deliveryKey,
    topic: verdict.topic,
    body: text,
    receivedAt,
  })
  if (!id) return c.json({ duplicate: true }, 200)
  try {
    await c.env.INGEST.send({ type: 'webhook', inboxId: id } satisfies WebhookMessage)
  } catch (error) {
    // Without its queue message the row would never be imported, and a redelivery would be
    // taken for a duplicate: remove it so the platform's retry starts afresh.
    await removeDelivery(db, id)
    logger.error('webhook could not be queued', { connectionId, error: String(error) })
    throw new ApiError(503, 'unavailable', 'the webhook could not be queued; please retry')
  }
  return c.json({ accepted: true }, 202)
})
