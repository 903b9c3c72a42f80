/**
 * Sends one hub webhook delivery (HW1), signed per Standard Webhooks with the `standardwebhooks`
 * package. The body is fixed at the first attempt (the order as GET /orders/{id} shows it then),
 * so a retry or a replay sends the same bytes under the same `webhook-id`. A non-2xx answer or a
 * timeout is a RetryableError (Retry-After honoured); the queue's last attempt dead-letters it.
 * Every attempt is a row written with the release (hub/attempts.ts); a disabled endpoint's
 * deliveries wait as `held` and go out in order once it is enabled (hub/backlog.ts).
 */
import { and, eq, inArray, isNull, ne } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import { allowInsecureUrls } from '../core/url-policy'
import { decryptJson, keyringOf } from '../core/crypto'
import { FinalError, RetryableError } from '../core/errors'
import { describeNetworkError, parseRetryAfter } from '../core/http-client'
import { unsafeUrlReason } from '../core/url-safety'
import type { Bindings } from '../env'
import { type Database, database, nowIso } from '../db/client'
import { orderEvents, webhookDeliveries, webhookEndpoints } from '../db/schema'
import { claimRowStatement, newClaim } from '../exactly-once/lease'
import { errorText } from '../exactly-once/steps'
import { withClaim } from '../exactly-once/with-claim'
import { eventSummary, readOrder } from '../orders/read-model'
import { type Attempt, attemptStatements, disableIfFailingTooLong, readStart } from './attempts'
import { holdStatement, mustWait, releaseNextHeld } from './backlog'

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
      ...(event ? { event: eventSummary(event) } : {}),
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

/** A delivery is sent while `pending` (or `failed`, replayed by an operator) and held by no other send. */
const SENDABLE = inArray(webhookDeliveries.state, ['pending', 'failed'])

export async function deliverHubWebhook(env: Bindings, deliveryId: string) {
  const db = database(env.DB)
  const claim = newClaim()
  const [delivery] = (await claimRowStatement(
    db,
    webhookDeliveries,
    deliveryId,
    SENDABLE,
    claim
  )) as unknown as Delivery[]
  if (!delivery) {
    const row = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).get()
    if (!row) throw new FinalError(`hub webhook delivery ${deliveryId} not found`)
    if (row.state !== 'delivered' && row.leaseUntil && row.leaseUntil >= claim.at)
      throw new RetryableError(`hub webhook delivery ${deliveryId} is being sent`, 30)
    return
  }
  await withClaim(
    db,
    { table: webhookDeliveries, id: delivery.id, claim, firstAttempt: delivery.attempts === 1 },
    {
      run: () => send(env, db, delivery),
      settle: ({ status, outcome, held, attempt, endpoint }) => {
        if (held) return { set: { state: 'held', updatedAt: nowIso() }, with: () => [holdStatement(db, delivery)] }
        const delivered = status !== null && status >= 200 && status < 300
        return {
          with: () => (attempt && endpoint ? attemptStatements(db, attempt, endpoint, delivered) : []),
          after: async () => {
            if (!endpoint) return
            if (delivered && endpoint.heldSince) await releaseNextHeld(db, env.DISPATCH, endpoint.id, nowIso())
            // Failing for 5 days: disabled now, and the retry finds it so and waits with the others.
            if (!delivered) await disableIfFailingTooLong(db, endpoint, outcome)
          },
          set: {
            state: delivered ? 'delivered' : 'pending',
            lastStatus: status,
            lastError: delivered ? null : outcome,
            updatedAt: nowIso(),
          },
          calls: [
            {
              tenantId: delivery.tenantId,
              connectionId: delivery.endpointId,
              orderId: delivery.orderId,
              action: `hub-webhook:${delivery.type}`,
              result: delivered ? 'done' : 'failed',
              detail: outcome,
            },
          ],
        }
      },
      fail: (error) => ({
        set: {
          state: error instanceof FinalError ? 'failed' : 'pending',
          lastError: errorText(error),
          updatedAt: nowIso(),
        },
      }),
    }
  ).then(
    ({ status, outcome, retryAfter, held }) => {
      if (held) return
      if (status === null || status < 200 || status >= 300)
        throw new RetryableError(`hub webhook ${outcome}`, retryAfter)
    },
    (error: unknown) => {
      // Nothing left to send to: recorded as failed, not a dead letter.
      if (error instanceof FinalError && error.message === ENDPOINT_DELETED) return
      throw error
    }
  )
}

const ENDPOINT_DELETED = 'the endpoint was deleted'

type Endpoint = typeof webhookEndpoints.$inferSelect
type SendResult = {
  status: number | null
  outcome: string
  retryAfter?: number
  /** Not sent: the endpoint is disabled, or older deliveries wait before this one. */
  held?: boolean
  attempt?: Attempt
  endpoint?: Endpoint
}

async function send(env: Bindings, db: Database, delivery: Delivery): Promise<SendResult> {
  const endpoint = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, delivery.endpointId), isNull(webhookEndpoints.deletedAt)))
    .get()
  if (!endpoint) throw new FinalError(ENDPOINT_DELETED)
  if (await mustWait(db, endpoint, delivery)) return { status: null, outcome: 'held', held: true }
  const unsafe = unsafeUrlReason(endpoint.url, allowInsecureUrls(env))
  if (unsafe) throw new FinalError(`hub webhook URL ${unsafe}`)

  const body = delivery.body ?? (await renderBody(db, delivery))
  const sentAt = new Date()
  const signature = await signatures(env, endpoint, delivery.id, sentAt, body)
  const host = new URL(endpoint.url).host
  const attempt = (status: number | null, error: string | null, response: string | null): Attempt => ({
    tenantId: delivery.tenantId,
    deliveryId: delivery.id,
    at: sentAt.toISOString(),
    status,
    error,
    durationMs: Date.now() - sentAt.getTime(),
    response,
  })
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
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
    const answer = await readStart(response.body).catch(() => null)
    const outcome = `${host} answered ${response.status}`
    const ok = response.status >= 200 && response.status < 300
    return {
      status: response.status,
      outcome,
      retryAfter,
      endpoint,
      attempt: attempt(response.status, ok ? null : outcome, answer),
    }
  } catch (error) {
    const outcome = `${host}: ${describeNetworkError(error)}`
    return { status: null, outcome, endpoint, attempt: attempt(null, outcome, null) }
  }
}

/**
 * `webhook-signature`: under the current secret, and for 24 hours after a rotation also under
 * the previous one, space-separated as Standard Webhooks allows (a receiver accepts either).
 */
async function signatures(env: Bindings, endpoint: Endpoint, id: string, sentAt: Date, body: string) {
  const keys = keyringOf(env)
  const secrets = [await decryptJson<string>(keys, endpoint.secret)]
  if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > sentAt.toISOString()) {
    secrets.push(await decryptJson<string>(keys, endpoint.previousSecret))
  }
  return secrets.map((secret) => new Webhook(secret).sign(id, sentAt, body)).join(' ')
}

/** A delivery the queue gave up on is marked failed (never one delivered meanwhile); an operator can replay it. */
export async function giveUpDelivery(env: Bindings, deliveryId: string, error: string) {
  await database(env.DB)
    .update(webhookDeliveries)
    .set({ state: 'failed', lastError: error, updatedAt: nowIso() })
    .where(and(eq(webhookDeliveries.id, deliveryId), ne(webhookDeliveries.state, 'delivered')))
}
