/**
 * ST2, pure: the quantity a channel may sell of one SKU. Wemalo's stock not reserved (default
 * attribute), minus what hub orders of every channel still take that Wemalo has not accepted
 * yet, minus the channel's buffer, never below 0. One warehouse feeds several channels, so an
 * order on one channel lowers the figure on all of them until Wemalo reserves it.
 */

export type StockBasis = {
  /** Wemalo's default-attribute stock that no goods order has reserved. */
  notReserved: number
  /** Quantities of hub orders of the SKU (any channel) not yet accepted by Wemalo. */
  inFlight: number
}

export function sellableQuantity(basis: StockBasis, buffer: number): number {
  return Math.max(0, Math.floor(basis.notReserved - basis.inFlight - Math.max(0, buffer)))
}

/** Items per call: `items` cut into batches of at most `size`, so n changed SKUs take ⌈n / size⌉ calls. */
export function batches<T>(items: T[], size: number): T[][] {
  const result: T[][] = []
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size))
  return result
}
