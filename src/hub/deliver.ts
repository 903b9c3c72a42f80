/**
 * Sends one hub webhook delivery (HW1), signed per Standard Webhooks with the `standardwebhooks`
 * package. The body is fixed at the first attempt (the order as GET /orders/{id} shows it then),
 * so a retry or a replay sends the same bytes under the same `webhook-id`. A non-2xx answer or a
 * timeout is a RetryableError (Retry-After honoured); the queue's last attempt dead-letters it.
 * Every attempt is a row (hub/attempts.ts); a disabled endpoint's deliveries wait (hub/backlog.ts).
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import { allowInsecureUrls } from '../connectors/context'
import { decryptJson, keyringOf } from '../core/crypto'
import { FinalError, RetryableError } from '../core/errors'
import { describeNetworkError, parseRetryAfter } from '../core/http-client'
import { unsafeUrlReason } from '../core/url-safety'
import type { Bindings } from '../env'
import { type Database, database, nowIso } from '../db/client'
import { orderEvents, webhookDeliveries, webhookEndpoints } from '../db/schema'
import { recordOutboundCall } from '../orders/outbound-steps'
import { readOrder } from '../orders/read-model'
import { disableIfFailingTooLong, readStart, recordAttempt } from './attempts'
import { holdIfWaiting, releaseNextHeld } from './backlog'

const TIMEOUT_MS = 10_000

type Delivery = typeof webhookDeliveries.$inferSelect

async function renderBody(db: Database, delivery: Delivery): Promise<string> {
  const order = await readOrder(db, delivery.tenantId, delivery.orderId)
  if (!order) throw new FinalError(`order ${delivery.orderId} of delivery ${delivery.id} not found`)
  const event = delivery.eventId
    ? await db.select().from(orderEvents).where(eq(orderEvents.id, delivery.eventId)).get()
    : undefined
  const body = JSON.stringify({
    type: delivery.type,
    timestamp: delivery.createdAt,
    data: {
      order,
      ...(event
        ? {
            event: {
              id: event.id,
              type: event.type,
              at: event.at,
              message: event.message,
              data: event.data,
              source: event.source,
            },
          }
        : {}),
    },
  })
  // Two attempts racing both render; the first to store its body wins and both send that one.
  await db
    .update(webhookDeliveries)
    .set({ body })
    .where(and(eq(webhookDeliveries.id, delivery.id), isNull(webhookDeliveries.body)))
  const stored = await db
    .select({ body: webhookDeliveries.body })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.id, delivery.id))
    .get()
  return stored?.body ?? body
}

export async function deliverHubWebhook(env: Bindings, deliveryId: string) {
  const db = database(env.DB)
  const delivery = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).get()
  if (!delivery) throw new FinalError(`hub webhook delivery ${deliveryId} not found`)
  if (delivery.state === 'delivered') return
  const endpoint = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, delivery.endpointId), isNull(webhookEndpoints.deletedAt)))
    .get()
  if (!endpoint) {
    await settle(db, delivery.id, { state: 'failed', lastError: 'the endpoint was deleted' })
    return
  }
  // A disabled endpoint's deliveries wait, and new ones queue behind a backlog (hub/backlog.ts).
  if ((endpoint.disabledAt || endpoint.heldSince) && (await holdIfWaiting(db, delivery, nowIso()))) return
  const unsafe = unsafeUrlReason(endpoint.url, allowInsecureUrls(env))
  if (unsafe) throw new FinalError(`hub webhook URL ${unsafe}`)

  const body = delivery.body ?? (await renderBody(db, delivery))
  const sentAt = new Date()
  const signature = await signatures(env, endpoint, delivery.id, sentAt, body)
  const host = new URL(endpoint.url).host

  let status: number | null = null
  let outcome: string
  let retryAfter: number | undefined
  let answer: string | null = null
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Kontor-Webhooks/1',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    status = response.status
    retryAfter = parseRetryAfter(response.headers.get('retry-after'))
    answer = await readStart(response.body).catch(() => null)
    outcome = `${host} answered ${status}`
  } catch (error) {
    outcome = `${host}: ${describeNetworkError(error)}`
  }
  const delivered = status !== null && status >= 200 && status < 300
  const attempt = {
    tenantId: delivery.tenantId,
    deliveryId: delivery.id,
    at: sentAt.toISOString(),
    status,
    error: delivered ? null : outcome,
    durationMs: Date.now() - sentAt.getTime(),
    response: answer,
  }
  await recordAttempt(db, attempt, endpoint, delivered)
  await recordOutboundCall(db, {
    tenantId: delivery.tenantId,
    connectionId: endpoint.id,
    orderId: delivery.orderId,
    action: `hub-webhook:${delivery.type}`,
    result: delivered ? 'done' : 'failed',
    detail: outcome,
  })
  await settle(db, delivery.id, {
    state: delivered ? 'delivered' : 'pending',
    lastStatus: status,
    lastError: delivered ? null : outcome,
    attempted: true,
  })
  if (delivered && endpoint.heldSince) await releaseNextHeld(db, env.DISPATCH, endpoint.id, nowIso())
  if (!delivered) {
    // Disabled now: the retry finds the endpoint disabled and the delivery waits with the others.
    await disableIfFailingTooLong(db, endpoint, outcome)
    throw new RetryableError(`hub webhook ${outcome}`, retryAfter)
  }
}

/**
 * `webhook-signature`: under the current secret, and for 24 hours after a rotation also under
 * the previous one, space-separated as Standard Webhooks allows (a receiver accepts either).
 */
async function signatures(
  env: Bindings,
  endpoint: typeof webhookEndpoints.$inferSelect,
  id: string,
  sentAt: Date,
  body: string
) {
  const keys = keyringOf(env)
  const secrets = [await decryptJson<string>(keys, endpoint.secret)]
  if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > sentAt.toISOString()) {
    secrets.push(await decryptJson<string>(keys, endpoint.previousSecret))
  }
  return secrets.map((secret) => new Webhook(secret).sign(id, sentAt, body)).join(' ')
}

async function settle(
  db: Database,
  id: string,
  change: { state: string; lastStatus?: number | null; lastError: string | null; attempted?: boolean }
) {
  await db
    .update(webhookDeliveries)
    .set({
      state: change.state,
      lastError: change.lastError,
      ...(change.lastStatus !== undefined ? { lastStatus: change.lastStatus } : {}),
      ...(change.attempted ? { attempts: sql`${webhookDeliveries.attempts} + 1` } : {}),
      updatedAt: nowIso(),
    })
    .where(eq(webhookDeliveries.id, id))
}

/** A delivery the queue gave up on is marked failed; an operator can replay it. */
export async function giveUpDelivery(env: Bindings, deliveryId: string, error: string) {
  await settle(database(env.DB), deliveryId, { state: 'failed', lastError: error })
}
