/**
 * Wemalo's `stock_change` callback: "as soon as stock was booked", with `type` (INCOMING_STOCK or
 * RETURNSHIPMENT), `orderId` and `externalId` (apidoc registerWebHook). It names no booking and
 * carries no delivery id, and two bookings of one return send the same bytes, so each delivery is
 * accepted under a key of its own and only says what to read: for RETURNSHIPMENT the booked
 * returns (RT1), read at once and recorded per booking, so a repeat records nothing twice.
 * Wemalo's own plugin reads the fields inside `eventData`; both places are read.
 */
import type { DestinationReport } from '../types'

export type StockChange = { type: string | null; orderId: string | null; externalId: string | null }

const idText = (value: unknown) =>
  (typeof value === 'string' && value.trim() !== '') || typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : null

/** The callback's fields, top level or inside `eventData` (JSON, or a form's `eventData[type]`). */
export function readStockChange(body: Record<string, unknown>): StockChange {
  const nested = body.eventData && typeof body.eventData === 'object' ? (body.eventData as Record<string, unknown>) : {}
  const field = (name: string) => idText(body[name]) ?? idText(nested[name]) ?? idText(body[`eventData[${name}]`])
  return { type: field('type')?.toUpperCase() ?? null, orderId: field('orderId'), externalId: field('externalId') }
}

/** What a stock_change asks Kontor to read. */
export function stockChangeReports(body: Record<string, unknown>): DestinationReport[] {
  const change = readStockChange(body)
  if (change.type !== 'RETURNSHIPMENT') return []
  return [
    {
      kind: 'returns_booked',
      detail: `Wemalo booked a return (returns order ${change.orderId ?? '?'}, ${change.externalId ?? 'no external id'})`,
    },
  ]
}
