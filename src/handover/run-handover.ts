/**
 * The DISPATCH side of a hand-over: send an order to its destination, cancel it there, and turn
 * what the destination answers into hand-over states and order events. Works from `handovers`
 * rows (never from the message alone), claims each row before calling out, and records every
 * call; a failure that may pass is retried by the queue, one that will not becomes
 * `handover_failed` on the order.
 */
import { eq } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findDestinationConnector } from '../connectors/registry'
import type { HandoverOutcome } from '../connectors/types'
import { keyringOf } from '../core/crypto'
import { FinalError, RetryableError } from '../core/errors'
import type { Bindings } from '../env'
import { type Database, database } from '../db/client'
import { loadConnection } from '../db/connections'
import { handovers } from '../db/schema'
import { handoverOrder } from '../orders/handover-order'
import { outboundSteps, recordOutboundCall } from '../orders/outbound-steps'
import { recordOrderEvent } from '../orders/record-event'
import { claimHandover, type HandoverRow, referenceOf, releaseHandover } from './lease'

/** A destination's refusal of an address names it so: the order gets an address_error (WM1). */
const ADDRESS_ERROR = /^address_error:\s*/

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export async function loadDestination(env: Bindings, db: Database, destinationId: string) {
  const connection = await loadConnection(db, keyringOf(env), destinationId)
  const connector = connection ? findDestinationConnector(connection.platform) : undefined
  return connection && connector ? { connection, connector } : null
}

/** Records an event the hand-over itself produced (handed_over, handover_failed, cancelled …). */
export async function recordHandoverEvent(
  env: Bindings,
  db: Database,
  row: { id: string; tenantId: string; orderId: string; destinationId: string },
  key: string,
  event: Parameters<typeof recordOrderEvent>[2]['event']
) {
  await recordOrderEvent(
    db,
    { sync: env.SYNC, dispatch: env.DISPATCH },
    {
      tenantId: row.tenantId,
      orderId: row.orderId,
      event,
      idempotencyKey: `handover:${row.id}:${key}`,
      source: row.destinationId,
    }
  )
}

async function handOverFailed(env: Bindings, db: Database, row: HandoverRow, message: string) {
  await releaseHandover(db, row.id, { from: ['pending', 'failed'], to: 'failed', lastError: message })
  const addressProblem = ADDRESS_ERROR.test(message)
  if (addressProblem) {
    await recordHandoverEvent(env, db, row, 'address_error', {
      type: 'address_error',
      message: message.replace(ADDRESS_ERROR, ''),
    })
  }
  await recordHandoverEvent(env, db, row, `failed:${row.attempts}`, { type: 'handover_failed', message })
}

/** Sets what the destination said; a hand-over cancelled meanwhile keeps its state but learns its reference. */
async function handOverAccepted(
  env: Bindings,
  db: Database,
  row: HandoverRow,
  outcome: HandoverOutcome,
  platform: string
) {
  const changed = await releaseHandover(db, row.id, {
    from: ['pending', 'failed'],
    to: outcome.state,
    reference: outcome.reference,
    details: { ...row.details, ...outcome.details },
    lastError: null,
  })
  if (!changed) {
    await db
      .update(handovers)
      .set({ reference: outcome.reference, details: { ...row.details, ...outcome.details } })
      .where(eq(handovers.id, row.id))
    return
  }
  if (outcome.state === 'confirmed') {
    await recordHandoverEvent(env, db, row, 'confirmed', {
      type: 'handed_over',
      message: outcome.detail ?? `handed over to ${platform}`,
      data: { destination: row.destinationId, reference: outcome.reference },
    })
  }
}

export async function runHandover(env: Bindings, handoverId: string) {
  const db = database(env.DB)
  const row = await claimHandover(db, handoverId, ['pending', 'failed'], { countAttempt: true })
  // Settled already, or another consumer holds it right now: nothing to do for this message.
  if (!row) return
  const destination = await loadDestination(env, db, row.destinationId)
  if (!destination) {
    await handOverFailed(env, db, row, `destination connection ${row.destinationId} no longer exists`)
    return
  }
  const { connection, connector } = destination
  const order = await handoverOrder(db, row.orderId)
  if (!order) throw new FinalError(`order ${row.orderId} of hand-over ${row.id} not found`)

  const call = (result: string, detail: string | null) =>
    recordOutboundCall(db, {
      tenantId: row.tenantId,
      connectionId: connection.id,
      orderId: row.orderId,
      action: `handover:${connection.platform}`,
      result,
      detail,
    })
  try {
    const outcome = await connector.handOver(
      connectorContext(env, connector, connection, db),
      order,
      { attempt: row.attempts, details: row.details },
      outboundSteps(db, {
        tenantId: row.tenantId,
        connectionId: connection.id,
        orderId: row.orderId,
        owner: `handover:${row.id}`,
        action: `handover:${connection.platform}`,
      })
    )
    await call(outcome.state, `${outcome.reference}${outcome.detail ? `: ${outcome.detail}` : ''}`)
    await handOverAccepted(env, db, row, outcome, connection.platform)
  } catch (error) {
    await call('failed', errorText(error))
    if (error instanceof FinalError) {
      await handOverFailed(env, db, row, errorText(error))
      return
    }
    await releaseHandover(db, row.id, { from: ['pending', 'failed'], lastError: errorText(error) })
    throw error
  }
}

/** A hand-over the queue gave up on becomes `handover_failed`, visible on the order. */
export async function giveUpHandover(env: Bindings, handoverId: string, error: string) {
  const db = database(env.DB)
  const row = await db.select().from(handovers).where(eq(handovers.id, handoverId)).get()
  if (row && row.state === 'pending')
    await handOverFailed(env, db, row, `gave up after ${row.attempts} attempts: ${error}`)
}

export async function runCancel(env: Bindings, handoverId: string) {
  const db = database(env.DB)
  const row = await claimHandover(db, handoverId, ['cancel_requested'], { countAttempt: false })
  if (!row) {
    const current = await db.select().from(handovers).where(eq(handovers.id, handoverId)).get()
    // Still to cancel but held by a hand-over in flight: cancel once that call has ended.
    if (current?.state === 'cancel_requested') throw new RetryableError(`hand-over ${handoverId} is busy`, 30)
    return
  }
  const destination = await loadDestination(env, db, row.destinationId)
  if (!destination) throw new FinalError(`destination connection ${row.destinationId} no longer exists`)
  const { connection, connector } = destination
  try {
    const outcome = await connector.cancel(connectorContext(env, connector, connection, db), referenceOf(row))
    const detail = outcome.result === 'cancelled' ? (outcome.detail ?? null) : outcome.message
    await recordOutboundCall(db, {
      tenantId: row.tenantId,
      connectionId: connection.id,
      orderId: row.orderId,
      action: `cancel:${connection.platform}`,
      result: outcome.result,
      detail,
    })
    const to = outcome.result === 'cancelled' ? 'cancelled' : 'cancel_refused'
    await releaseHandover(db, row.id, { from: ['cancel_requested'], to, lastError: null })
    await recordHandoverEvent(
      env,
      db,
      row,
      to,
      outcome.result === 'cancelled'
        ? { type: 'cancelled', message: detail ?? `cancelled at ${connection.platform}` }
        : { type: 'cancel_refused', message: `${connection.platform}: ${outcome.message}` }
    )
  } catch (error) {
    await releaseHandover(db, row.id, { from: ['cancel_requested'], lastError: errorText(error) })
    throw error
  }
}

/** A platform change of an order the destination holds: sent on where the destination takes it, else recorded. */
export async function runUpdate(env: Bindings, handoverId: string) {
  const db = database(env.DB)
  const row = await db.select().from(handovers).where(eq(handovers.id, handoverId)).get()
  if (!row || (row.state !== 'sent' && row.state !== 'confirmed')) return
  const destination = await loadDestination(env, db, row.destinationId)
  if (!destination) return
  const { connection, connector } = destination
  const call = (result: string, detail: string) =>
    recordOutboundCall(db, {
      tenantId: row.tenantId,
      connectionId: connection.id,
      orderId: row.orderId,
      action: `update:${connection.platform}`,
      result,
      detail,
    })
  if (!connector.update) {
    await call(
      'not_applicable',
      `${connection.platform} takes no changes after the hand-over; the change stays in the hub`
    )
    return
  }
  const order = await handoverOrder(db, row.orderId)
  if (!order) throw new FinalError(`order ${row.orderId} of hand-over ${row.id} not found`)
  try {
    const outcome = await connector.update(
      connectorContext(env, connector, connection, db),
      order,
      referenceOf(row),
      outboundSteps(db, {
        tenantId: row.tenantId,
        connectionId: connection.id,
        orderId: row.orderId,
        owner: `update:${row.id}:${row.updatedAt}`,
        action: `update:${connection.platform}`,
      })
    )
    await call(outcome.result, outcome.detail)
  } catch (error) {
    await call('failed', errorText(error))
    throw error
  }
}
