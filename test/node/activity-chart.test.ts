/**
 * Issue 19, the picture: the activity chart's buckets and SVG, pure functions tested without a
 * runtime (no Worker, no D1): every bucket present, empty ones as zero, the scale, the labels and
 * what a screen reader gets.
 */
import { describe, expect, it } from 'vitest'
import { bucketStarts, fillBuckets, sumSeries, windowStart } from '../../src/read-models/activity-buckets'
import { ActivityChart, bucketLabel, scaleTop } from '../../src/routes/ui/activity-chart'

const NOW = new Date('2026-11-28T14:37:12.000Z')

function render(element: unknown): string {
  const html = String(element)
  expect(html).not.toContain('[object Promise]')
  return html
}

describe('activity buckets', () => {
  it('are the 24 hours up to the current one, and the 7 days up to today, in UTC', () => {
    const hours = bucketStarts('day', NOW)
    expect(hours).toHaveLength(24)
    expect(hours[0]).toBe('2026-11-27T15:00:00.000Z')
    expect(hours[23]).toBe('2026-11-28T14:00:00.000Z')
    const days = bucketStarts('week', NOW)
    expect(days).toEqual([
      '2026-11-22T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
      '2026-11-24T00:00:00.000Z',
      '2026-11-25T00:00:00.000Z',
      '2026-11-26T00:00:00.000Z',
      '2026-11-27T00:00:00.000Z',
      '2026-11-28T00:00:00.000Z',
    ])
    expect(windowStart('week', NOW)).toBe(days[0])
  })

  it('fill every group with every bucket, empty ones as zero, and leave out counts outside the span', () => {
    const series = fillBuckets(
      'day',
      NOW,
      ['con_a', 'con_b'],
      [
        { group: 'con_a', key: '2026-11-28T14', imported: 3, failed: 1 },
        { group: 'con_a', key: '2026-11-27T15', imported: 2, failed: 0 },
        { group: 'con_a', key: '2026-11-27T14', imported: 9, failed: 9 }, // an hour before the span
        { group: 'con_gone', key: '2026-11-28T14', imported: 5, failed: 5 }, // not a listed group
      ]
    )
    const a = series.get('con_a')!
    expect(a).toHaveLength(24)
    expect(a[23]).toEqual({ start: '2026-11-28T14:00:00.000Z', imported: 3, failed: 1 })
    expect(a[0]).toEqual({ start: '2026-11-27T15:00:00.000Z', imported: 2, failed: 0 })
    expect(a.slice(1, 23).every((bucket) => bucket.imported === 0 && bucket.failed === 0)).toBe(true)
    expect(series.get('con_b')!.every((bucket) => bucket.imported === 0 && bucket.failed === 0)).toBe(true)
    expect(series.has('con_gone')).toBe(false)
    const total = sumSeries('day', NOW, [a, series.get('con_b')!])
    expect(total[23]).toEqual({ start: '2026-11-28T14:00:00.000Z', imported: 3, failed: 1 })
  })
})

describe('activity chart', () => {
  it('scales to 1, 2 or 5 times a power of ten, at least 1', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 26, 99, 101, 4_999].map(scaleTop)).toEqual([
      1, 1, 2, 5, 10, 10, 20, 50, 100, 200, 5_000,
    ])
  })

  it('labels hours and days', () => {
    expect(bucketLabel('day', '2026-11-28T09:00:00.000Z')).toBe('09:00')
    expect(bucketLabel('week', '2026-11-28T00:00:00.000Z')).toBe('11-28')
  })

  it('draws a bar pair per bucket, empty buckets as zero height, scaled to the top of the scale', () => {
    const buckets = fillBuckets(
      'day',
      NOW,
      ['c'],
      [
        { group: 'c', key: '2026-11-28T14', imported: 8, failed: 2 },
        { group: 'c', key: '2026-11-28T10', imported: 4, failed: 0 },
      ]
    ).get('c')!
    const html = render(ActivityChart({ id: 'c', title: 'Shop: last 24 hours', span: 'day', buckets }))
    expect(html.match(/<g data-bucket=/g)).toHaveLength(24)
    expect(html).toContain('data-scale-top="true">10<')
    const bar = (start: string, kind: string) =>
      new RegExp(`data-bucket="${start}".*?class="${kind}"[^>]*height="([\\d.]+)"`, 's').exec(html)?.[1]
    const heightOf = (start: string, kind: string) => Number(bar(start, kind))
    const full = heightOf('2026-11-28T14:00:00.000Z', 'imported')
    expect(full).toBeGreaterThan(0)
    expect(heightOf('2026-11-28T10:00:00.000Z', 'imported')).toBeCloseTo(full / 2, 0)
    expect(heightOf('2026-11-28T14:00:00.000Z', 'failed')).toBeCloseTo(full / 4, 0)
    expect(heightOf('2026-11-28T13:00:00.000Z', 'imported')).toBe(0)
    expect(heightOf('2026-11-28T13:00:00.000Z', 'failed')).toBe(0)
  })

  it('is accessible without seeing it: title, description with totals, a tooltip per bucket and a table', () => {
    const buckets = fillBuckets('week', NOW, ['c'], [{ group: 'c', key: '2026-11-25', imported: 5, failed: 3 }]).get(
      'c'
    )!
    const html = render(ActivityChart({ id: 'w', title: 'Shop: last 7 days', span: 'week', buckets }))
    expect(html).toContain('role="img"')
    expect(html).toContain('aria-labelledby="w-title w-desc"')
    expect(html).toContain('<title id="w-title">Shop: last 7 days</title>')
    expect(html).toContain('<desc id="w-desc">5 orders imported, 3 failures, last 7 days, by the day (UTC)</desc>')
    expect(html).toContain('<title>11-25: 5 imported, 3 failed</title>')
    expect(html).toContain('<title>11-24: 0 imported, 0 failed</title>')
    const rows = html.match(/<tr><td>[^<]*<\/td><td>\d+<\/td><td>\d+<\/td><\/tr>/g)
    expect(rows).toHaveLength(7)
    expect(rows).toContain('<tr><td>11-25</td><td>5</td><td>3</td></tr>')
    // Nothing that a strict CSP would block or that loads from elsewhere.
    expect(html).not.toMatch(/<script|style=|href=|src=/)
  })

  it('a compact chart (a row of the overview) has no legend and no table, but keeps its title', () => {
    const buckets = bucketStarts('day', NOW).map((start) => ({ start, imported: 0, failed: 0 }))
    const html = render(ActivityChart({ id: 't', title: 'Acme: last 24 hours', span: 'day', buckets, compact: true }))
    expect(html).toContain('<title id="t-title">Acme: last 24 hours</title>')
    expect(html).toContain('data-scale-top="true">1<')
    expect(html).not.toContain('<table')
    expect(html).not.toContain('>imported<')
  })
})
