/**
 * What a destination reports (by webhook or by the cron's poll) becomes hand-over states and
 * order events. A report is accepted only for an order this destination was handed, and each is
 * keyed, so a report read twice (webhook and poll, or a redelivery) is recorded once.
 */
import { and, eq, inArray } from 'drizzle-orm'
import { connectorContext } from '../connectors/context'
import type { DestinationReport } from '../connectors/types'
import { logger } from '../core/logger'
import type { Bindings } from '../env'
import { type Database, database } from '../db/client'
import { handovers, orders } from '../db/schema'
import { recordOrderEvent } from '../orders/record-event'
import { readBookedReturns } from '../returns/read-returns'
import { referenceOf, releaseHandover } from './lease'
import { loadDestination, recordHandoverEvent } from './run-handover'

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
      const changed = await releaseHandover(db, row.id, {
        from: ['pending', 'sent'],
        to: 'confirmed',
        reference: report.reference,
        details: { ...row.details, ...report.details },
        lastError: null,
      })
      if (changed) {
        await recordHandoverEvent(env, db, row, 'confirmed', {
          type: 'handed_over',
          message: report.detail ?? `confirmed by ${destination.platform}`,
          data: { destination: destination.id, reference: report.reference },
        })
      }
    } else {
      const changed = await releaseHandover(db, row.id, {
        from: ['pending', 'sent'],
        to: 'failed',
        lastError: report.message,
      })
      if (changed) {
        await recordHandoverEvent(env, db, row, 'failed:report', { type: 'handover_failed', message: report.message })
      }
    }
  }
}

/** The cron's poll of one destination: open hand-overs in, reports out, then acknowledged. */
export async function pollDestination(env: Bindings, connectionId: string) {
  const db = database(env.DB)
  const destination = await loadDestination(env, db, connectionId)
  const pollReports = destination?.connector.pollReports
  if (!destination || !pollReports) return
  const { connection, connector } = destination
  const open = await db
    .select({ handover: handovers })
    .from(handovers)
    .innerJoin(orders, eq(orders.id, handovers.orderId))
    .where(
      and(
        eq(handovers.destinationId, connectionId),
        inArray(handovers.state, [...OPEN_STATES]),
        inArray(orders.status, ['new', 'processing', 'address_error', 'stock_error', 'cancel_refused'])
      )
    )
    .orderBy(handovers.updatedAt)
    .limit(POLL_LIMIT)
  const poll = await pollReports.call(
    connector,
    connectorContext(env, connector, connection, db),
    open.map(({ handover }) => referenceOf(handover))
  )
  await recordReports(
    env,
    db,
    { id: connection.id, tenantId: connection.tenantId, platform: connection.platform },
    poll.reports
  )
  await poll.acknowledge?.()
  // RT1: the returns it booked meanwhile (the webhook reads them at once; this is the fallback).
  await readBookedReturns(env, db, connectionId)
}
