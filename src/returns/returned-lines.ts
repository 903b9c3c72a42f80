/**
 * Which order lines a return belongs to (RT1), and how much of each line has come back. Pure:
 * the recorder, the read model and the tests share it. A booking names the product as the
 * warehouse knows it (the SKU, WM6); it is matched to the order's lines by SKU (else code), the
 * quantity filling lines not yet fully returned first. A SKU no line has stays a line of the
 * return without a line id: recorded and shown, but it completes no line.
 */
import type { OrderEventInput } from '../core/model'
import { returnDetails, type ReturnedLine } from '../core/returns'
import type { OrderLine } from '../db/schema'

type Line = Pick<OrderLine, 'id' | 'sku' | 'code' | 'name' | 'quantity' | 'currentQuantity'>

/** How many of a line are to come back at most: what is left of it after refunds, else all of it. */
export const returnableQuantity = (line: Line) => line.currentQuantity ?? line.quantity

const sameSku = (line: Line, sku: string) => line.sku === sku || (!line.sku && line.code === sku)

/** Quantities returned so far per line id, from the `returned` events' lines. */
export function returnedQuantities(lines: Line[], returns: ReturnedLine[][]): Map<string, number> {
  const returned = new Map<string, number>()
  for (const returnLines of returns) {
    for (const item of returnLines) {
      // A back-office report may name only the SKU: it counts for the first line with it.
      const lineId = item.lineId ?? (item.sku ? lines.find((line) => sameSku(line, item.sku!))?.id : undefined)
      if (lineId) returned.set(lineId, (returned.get(lineId) ?? 0) + item.quantity)
    }
  }
  return returned
}

/** The lines of one returned item: spread over the order's lines with its SKU. */
export function returnedLinesOf(
  lines: Line[],
  returnedSoFar: Map<string, number>,
  item: { sku: string | null; name: string | null; quantity: number }
): ReturnedLine[] {
  const matching = item.sku ? lines.filter((line) => sameSku(line, item.sku!)) : []
  if (!matching.length) return [{ lineId: null, sku: item.sku, name: item.name, quantity: item.quantity }]
  const result: ReturnedLine[] = []
  let left = item.quantity
  for (const line of matching) {
    const open = Math.max(0, returnableQuantity(line) - (returnedSoFar.get(line.id) ?? 0))
    const taken = Math.min(open, left)
    if (taken > 0) result.push({ lineId: line.id, sku: item.sku, name: line.name, quantity: taken })
    left -= taken
    if (!left) break
  }
  // More came back than the lines still hold (returned twice?): the rest is kept on the last line.
  if (left > 0) {
    const last = matching[matching.length - 1]
    const known = result.find((entry) => entry.lineId === last.id)
    if (known) known.quantity += left
    else result.push({ lineId: last.id, sku: item.sku, name: last.name, quantity: left })
  }
  return result
}

/** Whether every line has come back in full. */
export function fullyReturned(lines: Line[], returned: Map<string, number>): boolean {
  return lines.every((line) => (returned.get(line.id) ?? 0) >= returnableQuantity(line))
}

/** A `returned` event whose lines name their order line, SKU and name wherever the order knows them. */
export function withReturnedLines(event: OrderEventInput, lines: Line[]): OrderEventInput {
  const named = returnDetails(event.data).lines
  if (!named.length) return event
  const completed = named.map((item) => {
    const line =
      lines.find((candidate) => candidate.id === item.lineId) ??
      (item.lineId === null && item.sku ? lines.find((candidate) => sameSku(candidate, item.sku!)) : undefined)
    return line
      ? {
          lineId: line.id,
          sku: item.sku ?? line.sku ?? line.code,
          name: item.name ?? line.name,
          quantity: item.quantity,
        }
      : item
  })
  return { ...event, data: { ...event.data, lines: completed } }
}
