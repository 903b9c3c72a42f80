/** D1 binds at most 100 values per statement: multi-row inserts are split to fit. */
export const D1_MAX_BOUND_VALUES = 100

export function chunkRows<T extends object>(rows: T[]): T[][] {
  if (!rows.length) return []
  const columns = Math.max(1, Object.keys(rows[0]).length)
  // Headroom for values a row carries inside SQL expressions (e.g. a matched customer id).
  const size = Math.max(1, Math.floor((D1_MAX_BOUND_VALUES - 10) / columns))
  const chunks: T[][] = []
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size))
  return chunks
}
