/**
 * The time buckets of the activity charts, pure: the last 24 hours by the hour, or the last 7
 * days by the day (UTC). The read model counts rows per bucket key in SQL (the leading characters
 * of an ISO timestamp); this turns those counts into a full series, every bucket present, an
 * empty one as zero.
 */

export type Span = 'day' | 'week'

export const SPANS: Record<Span, { buckets: number; unitMs: number; keyLength: number; label: string }> = {
  day: { buckets: 24, unitMs: 60 * 60 * 1000, keyLength: 13, label: 'last 24 hours, by the hour' },
  week: { buckets: 7, unitMs: 24 * 60 * 60 * 1000, keyLength: 10, label: 'last 7 days, by the day' },
}

export type Bucket = {
  /** The bucket's first instant, ISO 8601 UTC. */
  start: string
  imported: number
  failed: number
}

/** One count row of the read model: a group (a connection or a tenant), a bucket key, the counts. */
export type BucketCount = { group: string; key: string; imported: number; failed: number }

/** The bucket keys of a span ending with the one `now` falls in, oldest first. */
export function bucketStarts(span: Span, now: Date): string[] {
  const { buckets, unitMs } = SPANS[span]
  const current = Math.floor(now.getTime() / unitMs) * unitMs
  return Array.from({ length: buckets }, (_, index) => new Date(current - (buckets - 1 - index) * unitMs).toISOString())
}

/** The first instant the span covers: what the read model counts from. */
export function windowStart(span: Span, now: Date): string {
  return bucketStarts(span, now)[0]
}

/** The key of the bucket an ISO timestamp falls in: its leading characters, as SQL's substr(…). */
export function bucketKey(span: Span, at: string): string {
  return at.slice(0, SPANS[span].keyLength)
}

/** A full series per group, in the order of `groups`; counts outside the span are left out. */
export function fillBuckets(span: Span, now: Date, groups: string[], counts: BucketCount[]): Map<string, Bucket[]> {
  const starts = bucketStarts(span, now)
  const series = new Map<string, Bucket[]>(
    groups.map((group) => [group, starts.map((start) => ({ start, imported: 0, failed: 0 }))])
  )
  const position = new Map(starts.map((start, index) => [bucketKey(span, start), index]))
  for (const count of counts) {
    const index = position.get(count.key)
    const buckets = series.get(count.group)
    if (index === undefined || !buckets) continue
    buckets[index].imported += count.imported
    buckets[index].failed += count.failed
  }
  return series
}

/** Bucket by bucket, the sum of several series (a tenant's connections together). */
export function sumSeries(span: Span, now: Date, series: Bucket[][]): Bucket[] {
  return bucketStarts(span, now).map((start, index) => ({
    start,
    imported: series.reduce((sum, buckets) => sum + (buckets[index]?.imported ?? 0), 0),
    failed: series.reduce((sum, buckets) => sum + (buckets[index]?.failed ?? 0), 0),
  }))
}
