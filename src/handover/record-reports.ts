/**
 * What a destination reports (by webhook or by the cron's poll) becomes hand-over states and
 * order events. A report is accepted only for an order this destination was handed, and each is
 * keyed, so a report read twice (webhook and poll, or a redelivery) is recorded once.
 */
import { recordedPoll } from './poll-run'
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import type { DestinationReport } from '../connectors/types'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, database, nowIso } from '../db/client'
import { handovers, orders, outboundCalls } from '../db/schema'
import { outboundSteps } from '../exactly-once/steps'
import { transition } from '../exactly-once/with-claim'
import { recordOrderEvent } from '../orders/record-event'
import { readBookedReturns } from '../returns/read-returns'
import { handoverEvents, loadDestination, referenceOf } from './destination'

/** Hand-overs a destination still reports on: not settled, on orders not finished. */
const OPEN_STATES = ['pending', 'sent', 'confirmed', 'cancel_requested'] as const
const POLL_LIMIT = 200

export async function recordReports(
  env: Bindings,
  db: Database,
  destination: { id: string; tenantId: string; platform: string },
  reports: DestinationReport[]
) {
  for (const report of reports) {
    if (report.kind === 'returns_booked') {
      await readBookedReturns(env, db, destination.id)
      continue
    }
    const row = await db
      .select()
      .from(handovers)
      .where(and(eq(handovers.orderId, report.orderId), eq(handovers.destinationId, destination.id)))
      .get()
    if (!row) {
      logger.warn('report for an order this destination was never handed', {
        connectionId: destination.id,
        orderId: report.orderId,
      })
      continue
    }
    if (report.kind === 'event') {
      await recordOrderEvent(
        db,
        { sync: env.SYNC, dispatch: env.DISPATCH },
        {
          tenantId: row.tenantId,
          orderId: row.orderId,
          event: report.event,
          idempotencyKey: `report:${destination.id}:${report.reportKey}`,
          source: destination.id,
        }
      )
    } else if (report.kind === 'confirmed') {
      // The state and its handed_over event in one batch: neither is written without the other.
      await transition(
        db,
        { table: handovers, id: row.id, claimable: inArray(handovers.state, ['pending', 'sent']) },
        {
          set: {
            state: 'confirmed',
            reference: report.reference,
            details: { ...row.details, ...report.details },
            lastError: null,
            updatedAt: nowIso(),
          },
          ...handoverEvents(env, db, row, [
            [
              'confirmed',
              {
                type: 'handed_over',
                message: report.detail ?? `confirmed by ${destination.platform}`,
                data: { destination: destination.id, reference: report.reference },
              },
            ],
          ]),
        }
      )
    } else if (report.kind === 'failed') {
      await transition(
        db,
        { table: handovers, id: row.id, claimable: inArray(handovers.state, ['pending', 'sent']) },
        {
          set: { state: 'failed', lastError: report.message, updatedAt: nowIso() },
          ...handoverEvents(env, db, row, [['failed:report', { type: 'handover_failed', message: report.message }]]),
        }
      )
    } else {
      await handOverAgain(env, db, row.id, report)
    }
  }
}

/**
 * The destination did not take a sent hand-over and will not by itself (plenigo's 97004): back
 * to `pending`, its named steps marked to run again, in one batch; then queued at once.
 */
async function handOverAgain(
  env: Bindings,
  db: Database,
  handoverId: string,
  report: Extract<DestinationReport, { kind: 'resend' }>
) {
  const moved = await transition(
    db,
    { table: handovers, id: handoverId, claimable: eq(handovers.state, 'sent') },
    {
      set: { state: 'pending', lastError: report.message, updatedAt: nowIso() },
      with: (released) =>
        report.redoSteps.map((step) =>
          db
            .update(outboundCalls)
            .set({ result: 'failed', detail: report.message.slice(0, 2000) })
            .where(sql`${outboundCalls.stepKey} = ${`handover:${handoverId}:${step}`} and ${released}`)
        ),
    }
  )
  if (moved) await env.DISPATCH.send({ type: 'handover', handoverId })
}

/**
 * The hand-overs a destination's poll reports on: open ones on orders not finished, the ones not
 * yet settled (pending, sent, cancel_requested) first, so that confirmed rows — which only
 * Wemalo's fallback still asks about — never crowd out the ones plenigo must confirm.
 */
export async function handoversToPoll(db: Database, connectionId: string) {
  return (
    await db
      .select({ handover: handovers })
      .from(handovers)
      .innerJoin(orders, eq(orders.id, handovers.orderId))
      .where(
        and(
          eq(handovers.destinationId, connectionId),
          inArray(handovers.state, [...OPEN_STATES]),
          inArray(orders.status, [
            'new',
            'processing',
            'address_error',
            'stock_error',
            'cancel_requested',
            'cancel_refused',
          ])
        )
      )
      .orderBy(sql`${handovers.state} = 'confirmed'`, asc(handovers.updatedAt))
      .limit(POLL_LIMIT)
  ).map(({ handover }) => handover)
}

/** The cron's poll of one destination: open hand-overs in, reports out, then acknowledged. */
export async function pollDestination(env: Bindings, connectionId: string) {
  const db = database(env.DB)
  const destination = await loadDestination(env, db, connectionId)
  const pollReports = destination?.connector.pollReports
  if (!destination || !pollReports) return
  const { connection, connector } = destination
  const poll = await recordedPoll(db, connection, async () => {
    const open = await handoversToPoll(db, connectionId)
    const result = await pollReports.call(
      connector,
      connectorContext(env, connector, connection, db),
      open.map(referenceOf)
    )
    await recordReports(
      env,
      db,
      { id: connection.id, tenantId: connection.tenantId, platform: connection.platform },
      result.reports
    )
    return { result, reports: result.reports.length }
  })
  const acknowledge = poll.acknowledge
  if (acknowledge) {
    await outboundSteps(db, {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      orderId: null,
      owner: `reports:${connection.id}:${nowIso()}`,
      action: `reports:${connection.platform}`,
    }).once('acknowledge', async () => {
      await acknowledge.call(poll)
    })
  }
  // RT1: the returns it booked meanwhile (the webhook reads them at once; this is the fallback).
  await readBookedReturns(env, db, connectionId)
}
