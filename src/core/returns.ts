/**
 * The `returned {lines, reason}` event (SPEC §4, RT1) as every part reads it: the recorder, the
 * read model and the write-backs that name the returned lines in a note (RT2). Pure.
 */
import type { OrderEventInput } from './model'

/** One returned line: the order line it belongs to (null when no line has the SKU), and how many. */
export type ReturnedLine = { lineId: string | null; sku: string | null; name: string | null; quantity: number }

export type ReturnDetails = {
  lines: ReturnedLine[]
  /** The warehouse's reason, as it gives it (e.g. `damaged`); null when it gives none. */
  reason: string | null
  /** The warehouse's booking the return was read from, when it came from one. */
  bookingId: string | null
  /** The platform of the warehouse that booked it (`wemalo`), when one did. */
  warehouse: string | null
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null)

/** The lines and reason of a `returned` event's data (also an API report's `{lines}`). */
export function returnDetails(data: Record<string, unknown> | null | undefined): ReturnDetails {
  const lines = Array.isArray(data?.lines) ? (data.lines as Record<string, unknown>[]) : []
  return {
    lines: lines
      .filter((line) => line && typeof line === 'object' && Number(line.quantity) > 0)
      .map((line) => ({
        lineId: text(line.lineId),
        sku: text(line.sku),
        name: text(line.name),
        quantity: Number(line.quantity),
      })),
    reason: text(data?.reason),
    bookingId: text(data?.bookingId),
    warehouse: text(data?.warehouse),
  }
}

/** "2 × MUG-RED (Mug, red), 1 × COASTER": the returned lines as a note names them. */
export function returnedLinesText(lines: ReturnedLine[]): string {
  if (!lines.length) return 'the whole order'
  return lines
    .map((line) => {
      const label = line.sku ?? line.name ?? 'an unnamed item'
      return `${line.quantity} × ${label}${line.name && line.name !== label ? ` (${line.name})` : ''}`
    })
    .join(', ')
}

/** The note a back-end gets for a return (RT2): what came back and the warehouse's reason. */
export function returnNote(event: Pick<OrderEventInput, 'data'>): string {
  const details = returnDetails(event.data)
  const reason = details.reason ? `reason: ${details.reason}` : 'no reason given'
  const booking = details.bookingId ? `, booking ${details.bookingId}` : ''
  const warehouse = details.warehouse
    ? details.warehouse[0].toUpperCase() + details.warehouse.slice(1)
    : 'the warehouse'
  return `Returned to ${warehouse}: ${returnedLinesText(details.lines)} (${reason}${booking})`
}
