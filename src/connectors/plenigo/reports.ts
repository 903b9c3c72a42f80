/**
 * PL5: the cron's confirmation poll. Each open hand-over (`sent`) is read item by item from
 * plenigo's import log; when every item is done it is confirmed with plenigo's order id, when one
 * failed it is failed with plenigo's reason, otherwise it stays open. The log keeps entries for 7
 * days: past that, plenigo's orders are asked by `externalSystemId` once, and a hand-over with
 * neither is failed rather than left open for ever. A rate limit or an outage ends the poll early
 * and leaves the rest open for the next run.
 */
import { RetryableError } from '../../core/errors'
import type { DestinationReport, HandoverReference, ReportPoll } from '../types'
import type { PlenigoContext } from './client'
import { type ImportItemState, importLogEntries, plenigoOrderIdFor, readImportLog } from './import-log'

const LOG_KEPT_MS = 7 * 24 * 3600 * 1000

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.length > 0) : []
}

async function itemState(
  context: PlenigoContext,
  externalSystemId: string,
  logExpired: boolean
): Promise<ImportItemState> {
  const state = readImportLog(await importLogEntries(context, externalSystemId))
  if (state.kind === 'done' && !state.orderId) {
    return { ...state, orderId: await plenigoOrderIdFor(context, externalSystemId) }
  }
  if (state.kind === 'open' && logExpired) {
    const orderId = await plenigoOrderIdFor(context, externalSystemId)
    if (orderId) return { kind: 'done', orderId, alreadyImported: false, entryId: null }
    return {
      kind: 'failed',
      message: 'no import log entry and no plenigo order within the 7 days plenigo keeps its import log',
      code: null,
      entryId: '',
    }
  }
  return state
}

/** One hand-over's report, or null while it stays open. */
export async function reportFor(
  context: PlenigoContext,
  handover: HandoverReference
): Promise<DestinationReport | null> {
  const externalSystemIds = stringList(handover.details.externalSystemIds)
  if (!externalSystemIds.length) return null
  const sentAt = Date.parse(String(handover.details.sentAt ?? handover.updatedAt ?? handover.createdAt))
  const logExpired = !Number.isNaN(sentAt) && context.now().getTime() - sentAt > LOG_KEPT_MS
  const states = new Map<string, ImportItemState>()
  for (const id of externalSystemIds) {
    const state = await itemState(context, id, logExpired)
    states.set(id, state)
    if (state.kind === 'open') return null
  }
  const refused = [...states].filter(([, state]) => state.kind === 'refused_for_now')
  const failed = [...states].filter(([, state]) => state.kind === 'failed')
  if (refused.length && !failed.length) {
    return {
      kind: 'resend',
      orderId: handover.orderId,
      message: `plenigo did not take the import (${refused.map(([id, state]) => `${id}: ${(state as { reason: string }).reason}`).join('; ')}); sent again`,
      redoSteps: ['import-order'],
    }
  }
  const done = [...states].filter(([, state]) => state.kind === 'done') as [
    string,
    Extract<ImportItemState, { kind: 'done' }>,
  ][]
  const orderIds = [...new Set(done.map(([, state]) => state.orderId).filter((id): id is string => Boolean(id)))]
  if (failed.length) {
    const reasons = failed.map(
      ([id, state]) => `${id}: ${(state as Extract<ImportItemState, { kind: 'failed' }>).message}`
    )
    const imported = done.length
      ? ` (${done.length} other item(s) imported${orderIds.length ? ` as plenigo order ${orderIds.join(', ')}` : ''})`
      : ''
    return {
      kind: 'failed',
      orderId: handover.orderId,
      message: `plenigo import failed: ${reasons.join('; ')}${imported}`,
    }
  }
  return {
    kind: 'confirmed',
    orderId: handover.orderId,
    reference: orderIds.join(',') || externalSystemIds[0],
    detail: `plenigo order ${orderIds.join(', ') || '(id not reported)'} for ${done.length} item(s)${
      done.some(([, state]) => state.alreadyImported) ? ', found already imported (97001)' : ''
    }`,
    details: {
      plenigoOrderIds: orderIds,
      orderIdsByExternalSystemId: Object.fromEntries(done.map(([id, state]) => [id, state.orderId])),
      importLogEntryIds: done.map(([, state]) => state.entryId).filter(Boolean),
    },
  }
}

export async function pollPlenigoReports(context: PlenigoContext, open: HandoverReference[]): Promise<ReportPoll> {
  const reports: DestinationReport[] = []
  for (const handover of open) {
    if (handover.state !== 'sent') continue
    try {
      const report = await reportFor(context, handover)
      if (report) reports.push(report)
    } catch (error) {
      // 429 / 5xx / timeouts: the rest stay open until the next poll.
      if (error instanceof RetryableError) break
      throw error
    }
  }
  return { reports }
}
