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
 *
 * Every request to a connection that exists is also written to the delivery log
 * (src/delivery-log/): a refused one here, with its reason; an accepted one by the consumer,
 * from the request facts its message carries, in the batch that stores its inbox row.
 */
import { Hono } from 'hono'
import { findConnector } from '../connectors/registry'
import { ApiError, notFound } from '../core/errors'
import { logger } from '../core/logger'
import { database, nowIso } from '../db/client'
import { keyringOf } from '../core/crypto'
import { type LoadedConnection, loadConnectionForIntake } from '../db/connections'
import { removeDelivery, storeDelivery } from '../db/inbox'
import {
  ACCEPTED_ANSWER,
  acceptedStatement,
  type Answer,
  recordAnsweredOnly,
  recordRefused,
  type RequestRecord,
  requestRecord,
} from '../delivery-log/record'
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
function surelyFitsMessage(delivery: DeliveryMessage, bodyBytes: number, requestBytes: number) {
  const units = bodyBytes + delivery.connectionId.length + delivery.deliveryKey.length + delivery.topic.length
  return (units + requestBytes) * 6 + 256 <= MAX_QUEUED_MESSAGE_BYTES
}

/** The answer as app.onError renders it, for the delivery log. */
function answerOf(error: ApiError): Answer {
  return { status: error.status, body: JSON.stringify({ error: { code: error.code, message: error.message } }) }
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
  const db = database(c.env.DB)
  const keys = keyringOf(c.env)
  const connection = await loadConnectionForIntake(db, keys, connectionId)
  // Not logged: without a connection there is no tenant to show it to, and no bound on the cost.
  if (!connection) throw notFound('webhook endpoint')

  const receivedAt = nowIso()
  const declaredLength = Number(c.req.header('content-length') ?? 0)
  let request: RequestRecord | undefined
  const requestOf = (bodyBytes: number) => (request ??= requestRecord(c.req.raw, connection.tenantId, bodyBytes))
  /** Logs the refusal (bounded, see src/delivery-log/record.ts) and gives the error to throw. */
  const refused = async (
    error: ApiError,
    facts: { body: Uint8Array | null; reason?: string; verification?: 'verified' | 'failed' | 'not checked' }
  ) => {
    await recordRefused(db, {
      connectionId,
      receivedAt,
      request: requestOf(facts.body?.byteLength ?? declaredLength),
      answer: answerOf(error),
      reason: facts.reason ?? error.message,
      verification: facts.verification ?? 'not checked',
      body: facts.body,
    })
    return error
  }

  if (declaredLength > MAX_WEBHOOK_BYTES)
    throw await refused(new ApiError(413, 'payload_too_large', 'webhook bodies are limited to 1 MiB'), { body: null })
  const connector = findConnector(platform)
  if (connection.platform !== platform || !connector?.verifyWebhook)
    throw await refused(notFound('webhook endpoint'), {
      body: null,
      reason: `this address names the platform "${platform}", but the connection is ${connection.platform}`,
    })
  if (connection.tenantSuspended)
    throw await refused(new ApiError(410, 'gone', 'this account is suspended'), { body: null })

  const body = new Uint8Array(await c.req.arrayBuffer())
  if (body.byteLength > MAX_WEBHOOK_BYTES)
    throw await refused(new ApiError(413, 'payload_too_large', 'webhook bodies are limited to 1 MiB'), { body })

  const verifiable = { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body }
  let verdict = await connector.verifyWebhook(verifiable, credentialsOf(connection, connector.credentialsSchema))
  if (verdict.kind === 'unauthorized') {
    // The cached credentials may predate a rotated secret (or a deletion): read D1 before refusing.
    const fresh = await loadConnectionForIntake(db, keys, connectionId, { fresh: true })
    if (!fresh || fresh.platform !== platform) throw notFound('webhook endpoint')
    verdict = await connector.verifyWebhook(verifiable, connector.credentialsSchema.parse(fresh.credentials))
  }
  if (verdict.kind === 'unauthorized') {
    logger.warn('webhook refused', { connectionId, platform, reason: verdict.reason })
    throw await refused(new ApiError(401, 'invalid_signature', 'the webhook signature does not verify'), {
      body,
      reason: `the signature does not verify: ${verdict.reason}`,
      verification: 'failed',
    })
  }
  if (verdict.kind === 'ping') {
    logger.info('webhook ping', { connectionId, platform })
    await recordAnsweredOnly(db, {
      connectionId,
      receivedAt,
      request: requestOf(body.byteLength),
      answer: { status: 200, body: '' },
      reason: 'a ping: the platform checks that the address answers; nothing to import',
      body,
    })
    return c.body(null, 200)
  }
  if (verdict.kind === 'ignored') {
    const answer = { ignored: true, reason: verdict.reason }
    await recordAnsweredOnly(db, {
      connectionId,
      receivedAt,
      request: requestOf(body.byteLength),
      answer: { status: 200, body: JSON.stringify(answer) },
      reason: `ignored: ${verdict.reason}`,
      body,
    })
    return c.json(answer, 200)
  }

  const text = decoder.decode(body)
  const delivery: DeliveryMessage = {
    type: 'delivery',
    connectionId,
    deliveryKey: verdict.deliveryKey,
    topic: verdict.topic,
    body: text,
    receivedAt,
    request: requestOf(body.byteLength),
  }
  const unavailable = new ApiError(503, 'unavailable', 'the webhook could not be queued; please retry')
  const fitsMessage =
    surelyFitsMessage(delivery, body.byteLength, JSON.stringify(delivery.request).length) ||
    encoder.encode(JSON.stringify(delivery)).byteLength <= MAX_QUEUED_MESSAGE_BYTES
  if (fitsMessage) {
    try {
      await c.env.INGEST.send(delivery)
    } catch (error) {
      logger.error('webhook could not be queued', { connectionId, error: String(error) })
      throw await refused(unavailable, { body, verification: 'verified' })
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
  const logAccepted = async (answer: Answer, reason?: string) => {
    const entry = { connectionId, receivedAt, request: requestOf(body.byteLength), answer, reason }
    await acceptedStatement(db, { ...entry, deliveryKey: verdict.deliveryKey, topic: verdict.topic }).catch(
      (error: unknown) =>
        logger.error('delivery log: could not record a request', { connectionId, error: String(error) })
    )
  }
  if (!id) {
    const duplicate = { duplicate: true as const }
    await logAccepted({ status: 200, body: JSON.stringify(duplicate) }, 'a redelivery: the inbox holds this delivery')
    return c.json(duplicate, 200)
  }
  try {
    await c.env.INGEST.send({ type: 'webhook', inboxId: id } satisfies WebhookMessage)
  } catch (error) {
    // Without its queue message the row would never be imported, and a redelivery would be
    // taken for a duplicate: remove it so the platform's retry starts afresh.
    await removeDelivery(db, id)
    logger.error('webhook could not be queued', { connectionId, error: String(error) })
    throw await refused(unavailable, { body, verification: 'verified' })
  }
  await logAccepted(ACCEPTED_ANSWER)
  return c.json({ accepted: true }, 202)
})
