/**
 * Hub webhook endpoints (HW1, issue 18), the tenant's use cases: register, list, read, change
 * (url, events, disabled), rotate the secret (the old one keeps signing for 24 hours), delete;
 * their deliveries with every attempt, and a replay. Each change writes its audit row in the same
 * batch. Secrets are encrypted at rest and shown only when made.
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm'
import { type Actor, auditStatement } from '../audit/audit-log'
import { bytesToBase64, encryptJson, type Keyring } from '../core/crypto'
import { ApiError, notFound } from '../core/errors'
import { randomId } from '../core/ids'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from '../db/schema'
import { writeBatch } from '../db/write-batch'
import { guardStatement, isGuardFailure } from '../db/write-guard'
import { expireHeldStatement, releaseNextHeld } from './backlog'
import { replayHubDelivery } from './replay-delivery'

export type EndpointRow = typeof webhookEndpoints.$inferSelect

/** How long the secret before a rotation still signs deliveries. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000

export function presentEndpoint(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    createdAt: row.createdAt,
    disabled: row.disabledAt !== null,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    previousSecretValidUntil:
      row.previousSecretUntil && row.previousSecretUntil > new Date().toISOString() ? row.previousSecretUntil : null,
  }
}

const newSecret = () => `whsec_${bytesToBase64(crypto.getRandomValues(new Uint8Array(24)))}`

export async function createEndpoint(
  db: Database,
  keys: Keyring,
  who: Actor,
  tenantId: string,
  input: { url: string; events: string[] }
) {
  const secret = newSecret()
  const row: EndpointRow = {
    id: randomId('whe'),
    tenantId,
    url: input.url,
    events: [...new Set(input.events)],
    secret: await encryptJson(keys, secret),
    createdAt: new Date().toISOString(),
    deletedAt: null,
    previousSecret: null,
    previousSecretUntil: null,
    disabledAt: null,
    disabledReason: null,
    failingSince: null,
    heldSince: null,
  }
  await writeBatch(db, [
    db.insert(webhookEndpoints).values(row),
    auditStatement(db, who, {
      tenantId,
      action: 'webhook_endpoint.created',
      targetId: row.id,
      details: { events: row.events },
      at: row.createdAt,
    }),
  ])
  return { ...presentEndpoint(row), secret }
}

export async function listEndpoints(db: Database, tenantId: string) {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), isNull(webhookEndpoints.deletedAt)))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
  return rows.map(presentEndpoint)
}

export async function ownEndpoint(db: Database, tenantId: string, id: string): Promise<EndpointRow> {
  const row = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.tenantId, tenantId), isNull(webhookEndpoints.deletedAt))
    )
    .get()
  if (!row) throw notFound('webhook endpoint')
  return row
}

/**
 * Changes url, events or `disabled`. Disabling makes new deliveries wait; enabling again drops the
 * waiting ones older than the retention and sends the rest in order (src/hub/backlog.ts).
 */
export async function updateEndpoint(
  db: Database,
  queue: Queue,
  who: Actor,
  tenantId: string,
  id: string,
  change: { url?: string; events?: string[]; disabled?: boolean },
  now = new Date()
) {
  const row = await ownEndpoint(db, tenantId, id)
  const disabling = change.disabled === true && !row.disabledAt
  const enabling = change.disabled === false && row.disabledAt !== null
  const next: EndpointRow = {
    ...row,
    url: change.url ?? row.url,
    events: change.events ? [...new Set(change.events)] : row.events,
    ...(disabling ? { disabledAt: now.toISOString(), disabledReason: 'disabled through the API' } : {}),
    ...(enabling ? { disabledAt: null, disabledReason: null, failingSince: null } : {}),
  }
  await writeBatch(db, [
    db
      .update(webhookEndpoints)
      .set({
        url: next.url,
        events: next.events,
        disabledAt: next.disabledAt,
        disabledReason: next.disabledReason,
        failingSince: next.failingSince,
      })
      .where(eq(webhookEndpoints.id, id)),
    ...(enabling ? [expireHeldStatement(db, id, tenantId, now)] : []),
    auditStatement(db, who, {
      tenantId,
      action: 'webhook_endpoint.changed',
      targetId: id,
      // The URL itself may carry a receiver's key: only that it changed is recorded.
      details: {
        fields: Object.keys(change).filter((key) => change[key as keyof typeof change] !== undefined),
        ...(change.events ? { events: next.events } : {}),
        ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      },
      at: now.toISOString(),
    }),
  ])
  if (enabling) await releaseNextHeld(db, queue, id, now.toISOString())
  return presentEndpoint(next)
}

/** A new secret, returned once; the previous one keeps signing beside it for 24 hours. */
export async function rotateEndpointSecret(
  db: Database,
  keys: Keyring,
  who: Actor,
  tenantId: string,
  id: string,
  now = new Date()
) {
  const row = await ownEndpoint(db, tenantId, id)
  const secret = newSecret()
  const previousSecretUntil = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString()
  try {
    await writeBatch(db, [
      // Compare-and-set: of two concurrent rotations one wins; the other is told to retry.
      guardStatement(
        db,
        sql`exists (select 1 from ${webhookEndpoints} where id = ${id} and secret = ${row.secret} and deleted_at is null)`
      ),
      db
        .update(webhookEndpoints)
        .set({ secret: await encryptJson(keys, secret), previousSecret: row.secret, previousSecretUntil })
        .where(eq(webhookEndpoints.id, id)),
      auditStatement(db, who, {
        tenantId,
        action: 'webhook_endpoint.secret_rotated',
        targetId: id,
        details: { previousSecretValidUntil: previousSecretUntil },
        at: now.toISOString(),
      }),
    ])
  } catch (error) {
    if (isGuardFailure(error)) throw new ApiError(409, 'conflict', 'the endpoint changed at the same time; try again')
    throw error
  }
  return { ...presentEndpoint({ ...row, previousSecretUntil }), secret }
}

export async function deleteEndpoint(db: Database, who: Actor, tenantId: string, id: string) {
  await ownEndpoint(db, tenantId, id)
  const now = new Date().toISOString()
  await writeBatch(db, [
    db.update(webhookEndpoints).set({ deletedAt: now }).where(eq(webhookEndpoints.id, id)),
    auditStatement(db, who, { tenantId, action: 'webhook_endpoint.deleted', targetId: id, at: now }),
  ])
}

type DeliveryRow = typeof webhookDeliveries.$inferSelect

const presentDelivery = (row: DeliveryRow) => ({
  id: row.id,
  type: row.type,
  orderId: row.orderId,
  state: row.state,
  attempts: row.attempts,
  lastStatus: row.lastStatus,
  lastError: row.lastError,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
})

export async function listDeliveries(
  db: Database,
  tenantId: string,
  endpointId: string,
  query: { cursor?: string; limit: number }
) {
  const endpoint = await ownEndpoint(db, tenantId, endpointId)
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpoint.id),
        afterCursor(query.cursor, webhookDeliveries.createdAt, webhookDeliveries.id)
      )
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(query.limit + 1)
  const { page, nextCursor } = keysetPage(rows, query.limit, (row) => [row.createdAt, row.id])
  return { items: page.map(presentDelivery), nextCursor }
}

async function ownDelivery(db: Database, tenantId: string, endpointId: string, deliveryId: string) {
  const endpoint = await ownEndpoint(db, tenantId, endpointId)
  const row = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpoint.id)))
    .get()
  if (!row) throw notFound('delivery')
  return row
}

/** One delivery with every attempt, oldest first. */
export async function getDelivery(db: Database, tenantId: string, endpointId: string, deliveryId: string) {
  const row = await ownDelivery(db, tenantId, endpointId, deliveryId)
  const attempts = await db
    .select({
      at: webhookDeliveryAttempts.at,
      status: webhookDeliveryAttempts.status,
      error: webhookDeliveryAttempts.error,
      durationMs: webhookDeliveryAttempts.durationMs,
      response: webhookDeliveryAttempts.response,
    })
    .from(webhookDeliveryAttempts)
    .where(eq(webhookDeliveryAttempts.deliveryId, row.id))
    .orderBy(asc(webhookDeliveryAttempts.at), asc(webhookDeliveryAttempts.id))
    .limit(500)
  return { ...presentDelivery(row), attemptHistory: attempts }
}

/** Sends a delivery again (same body, same webhook-id); recorded in the audit trail. */
export async function replayDelivery(
  db: Database,
  queue: Queue,
  who: Actor,
  tenantId: string,
  endpointId: string,
  deliveryId: string
) {
  const row = await ownDelivery(db, tenantId, endpointId, deliveryId)
  await replayHubDelivery(db, queue, row, [
    auditStatement(db, who, {
      tenantId,
      action: 'webhook_delivery.replayed',
      targetId: row.id,
      details: { endpointId },
    }),
  ])
}
