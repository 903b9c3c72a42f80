/**
 * PL4 + PL5: plenigo logs every order import (`GET /imports/orders/logs`, kept for 7 days); an
 * import is queued, so its result is read from the log by `externalSystemId`. Reading an item's
 * entries is pure here: success → done with plenigo's order id; 97001 (already imported) → done
 * too; 97004 (queue full) or 99429 → refused for now, to be imported again (plenigo does not take
 * it up by itself); no entry yet → still open; any other failure → failed with plenigo's reason.
 */
import { FinalError } from '../../core/errors'
import { PLENIGO_ERRORS, type PlenigoContext, plenigoRequest } from './client'
import { type PlenigoImportLogEntry, plenigoImportLogEntriesSchema, plenigoOrdersSchema } from './schemas'

export type ImportItemState =
  | { kind: 'done'; orderId: string | null; alreadyImported: boolean; entryId: string | null }
  | { kind: 'failed'; message: string; code: number | null; entryId: string }
  | { kind: 'open'; reason: string }
  | { kind: 'refused_for_now'; reason: string }

/** plenigo's error code of a failed entry, from `errorDetail.errorCode` or a code in the text. */
export function importLogErrorCode(entry: PlenigoImportLogEntry): number | null {
  const detail = entry.errorDetail
  if (detail && typeof detail === 'object') {
    const code = Number((detail as Record<string, unknown>).errorCode ?? (detail as Record<string, unknown>).code)
    if (Number.isInteger(code) && code > 0) return code
  }
  const text = `${entry.errorReason ?? ''} ${typeof detail === 'string' ? detail : JSON.stringify(detail ?? '')}`
  const match = /\b(9\d{4}|2\d{4})\b/.exec(text)
  if (match) return Number(match[1])
  if (/already imported/i.test(text)) return PLENIGO_ERRORS.alreadyImported
  if (/import queue is reached|queue (is )?full/i.test(text)) return PLENIGO_ERRORS.importQueueFull
  return null
}

export function importLogErrorMessage(entry: PlenigoImportLogEntry): string {
  const detail = entry.errorDetail
  const detailText =
    typeof detail === 'string'
      ? detail
      : detail && typeof detail === 'object' && typeof (detail as Record<string, unknown>).message === 'string'
        ? ((detail as Record<string, unknown>).message as string)
        : detail && typeof detail === 'object'
          ? JSON.stringify(detail)
          : ''
  const reason = entry.errorReason?.trim() || 'the import failed'
  return detailText && !reason.includes(detailText) ? `${reason} ${detailText}`.slice(0, 1000) : reason
}

const realOrderId = (orderId: string | null | undefined) => (orderId && orderId !== '0' ? orderId : null)

/** What the log says about one import item. */
export function readImportLog(entries: PlenigoImportLogEntry[]): ImportItemState {
  const newestFirst = [...entries].sort((a, b) => compareIds(b.orderImportLogEntryId, a.orderImportLogEntryId))
  const success = newestFirst.find((entry) => entry.success === true)
  if (success)
    return {
      kind: 'done',
      orderId: realOrderId(success.orderId),
      alreadyImported: false,
      entryId: success.orderImportLogEntryId,
    }
  const duplicate = newestFirst.find((entry) => importLogErrorCode(entry) === PLENIGO_ERRORS.alreadyImported)
  if (duplicate) return { kind: 'done', orderId: null, alreadyImported: true, entryId: duplicate.orderImportLogEntryId }
  const latest = newestFirst[0]
  if (!latest) return { kind: 'open', reason: 'no import log entry yet' }
  const code = importLogErrorCode(latest)
  if (isRefusedForNow(latest)) return { kind: 'refused_for_now', reason: `plenigo could not take the import (${code})` }
  return { kind: 'failed', message: importLogErrorMessage(latest), code, entryId: latest.orderImportLogEntryId }
}

/** 97004 (import queue full) and 99429 (rate limit): the item was not imported and must be sent again. */
function isRefusedForNow(entry: PlenigoImportLogEntry): boolean {
  const code = importLogErrorCode(entry)
  return code === PLENIGO_ERRORS.importQueueFull || code === PLENIGO_ERRORS.rateLimit
}

function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0
}

export async function importLogEntries(
  context: PlenigoContext,
  externalSystemId: string
): Promise<PlenigoImportLogEntry[]> {
  const response = await plenigoRequest(context, '/imports/orders/logs', { query: { externalSystemId, size: 100 } })
  const parsed = plenigoImportLogEntriesSchema.safeParse(response.json())
  if (!parsed.success)
    throw new FinalError(`plenigo GET /imports/orders/logs: unreadable answer (${parsed.error.issues[0]?.message})`)
  // plenigo filters by externalSystemId; an entry of another id would be a different import.
  return (parsed.data.items ?? []).filter(
    (entry) => !entry.externalSystemId || entry.externalSystemId === externalSystemId
  )
}

/** plenigo's order created for an `externalSystemId` (`GET /orders?externalSystemId=`), when the log no longer says. */
export async function plenigoOrderIdFor(context: PlenigoContext, externalSystemId: string): Promise<string | null> {
  const response = await plenigoRequest(context, '/orders', { query: { externalSystemId, size: 5 } })
  const parsed = plenigoOrdersSchema.safeParse(response.json())
  if (!parsed.success)
    throw new FinalError(`plenigo GET /orders: unreadable answer (${parsed.error.issues[0]?.message})`)
  const items = parsed.data.items ?? []
  const order = items.find((item) => item.externalSystemId === externalSystemId) ?? items[0]
  return realOrderId(order?.orderId)
}

/**
 * True when plenigo has a log entry (other than a queue-full refusal) or an order for one of these ids: one import
 * request carries every item, so one of them found means the request reached plenigo.
 */
export async function importReachedPlenigo(context: PlenigoContext, externalSystemIds: string[]): Promise<boolean> {
  for (const id of externalSystemIds) {
    // A queue-full refusal in the log is plenigo's, but the import did not happen.
    if ((await importLogEntries(context, id)).some((entry) => !isRefusedForNow(entry))) return true
    if (await plenigoOrderIdFor(context, id)) return true
  }
  return false
}
