/**
 * The activity chart (issue 19): orders imported and failures per bucket as server-rendered SVG,
 * pure (series in, markup out), no script and nothing loaded from elsewhere. It is readable
 * without seeing it: the SVG has a title and a description with the totals, each bucket a tooltip
 * title, and the figures follow as a table inside a <details>.
 */
import type { FC } from 'hono/jsx'
import { type Bucket, type Span, SPANS } from '../../read-models/activity-buckets'

const IMPORTED_COLOUR = '#2453c7'
const FAILED_COLOUR = '#b42318'

/** The smallest of 1, 2, 5 × 10ⁿ at or above `value` (at least 1): the top of the scale. */
export function scaleTop(value: number): number {
  if (value <= 1) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

/** A bucket's label: its hour ("14:00") or its day ("11-28"), UTC. */
export function bucketLabel(span: Span, start: string): string {
  return span === 'day' ? `${start.slice(11, 13)}:00` : start.slice(5, 10)
}

function summary(span: Span, buckets: Bucket[]): string {
  const imported = buckets.reduce((sum, bucket) => sum + bucket.imported, 0)
  const failed = buckets.reduce((sum, bucket) => sum + bucket.failed, 0)
  return `${imported} orders imported, ${failed} failures, ${SPANS[span].label} (UTC)`
}

export const ActivityChart: FC<{
  /** Unique on the page: the SVG's title and description are referenced by it. */
  id: string
  title: string
  span: Span
  buckets: Bucket[]
  /** Small, without legend and table: a row of the overview. */
  compact?: boolean
}> = ({ id, title, span, buckets, compact }) => {
  const width = compact ? 240 : 420
  const height = compact ? 56 : 140
  const left = compact ? 22 : 30
  const top = compact ? 4 : 18
  const bottom = 14
  const plotWidth = width - left - 4
  const plotHeight = height - top - bottom
  const highest = scaleTop(Math.max(0, ...buckets.map((bucket) => Math.max(bucket.imported, bucket.failed))))
  const slot = plotWidth / Math.max(buckets.length, 1)
  const barWidth = Math.max(1, Math.floor(slot * 0.4))
  const y = (value: number) => top + plotHeight - (value / highest) * plotHeight
  const round = (value: number) => Math.round(value * 10) / 10
  const labelled = new Set([0, Math.floor(buckets.length / 2), buckets.length - 1])
  const text = summary(span, buckets)
  return (
    <div class="activity-chart" data-chart={id}>
      <svg
        xmlns="http://www.w3.org/2000/svg"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        font-family="system-ui, sans-serif"
        font-size="10"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{text}</desc>
        <line x1={left} y1={top + plotHeight} x2={width - 4} y2={top + plotHeight} stroke="#b9c0cc" />
        <line x1={left} y1={top} x2={width - 4} y2={top} stroke="#eef1f5" />
        <text x={left - 4} y={top + 4} text-anchor="end" fill="#5b6475" data-scale-top>
          {highest}
        </text>
        <text x={left - 4} y={top + plotHeight} text-anchor="end" fill="#5b6475">
          0
        </text>
        {buckets.map((bucket, index) => {
          const x = left + index * slot + (slot - 2 * barWidth) / 2
          return (
            <g data-bucket={bucket.start}>
              <title>{`${bucketLabel(span, bucket.start)}: ${bucket.imported} imported, ${bucket.failed} failed`}</title>
              <rect x={round(left + index * slot)} y={top} width={round(slot)} height={plotHeight} fill="transparent" />
              <rect
                class="imported"
                x={round(x)}
                y={round(y(bucket.imported))}
                width={barWidth}
                height={round(top + plotHeight - y(bucket.imported))}
                fill={IMPORTED_COLOUR}
              />
              <rect
                class="failed"
                x={round(x + barWidth)}
                y={round(y(bucket.failed))}
                width={barWidth}
                height={round(top + plotHeight - y(bucket.failed))}
                fill={FAILED_COLOUR}
              />
              {labelled.has(index) ? (
                <text
                  x={round(left + index * slot + slot / 2)}
                  y={height - 2}
                  text-anchor={index === 0 ? 'start' : index === buckets.length - 1 ? 'end' : 'middle'}
                  fill="#5b6475"
                >
                  {bucketLabel(span, bucket.start)}
                </text>
              ) : null}
            </g>
          )
        })}
        {compact ? null : (
          <g>
            <rect x={left} y={4} width={8} height={8} fill={IMPORTED_COLOUR} />
            <text x={left + 11} y={11} fill="#1d2433">
              imported
            </text>
            <rect x={left + 64} y={4} width={8} height={8} fill={FAILED_COLOUR} />
            <text x={left + 75} y={11} fill="#1d2433">
              failed
            </text>
          </g>
        )}
      </svg>
      {compact ? null : (
        <details>
          <summary>{text}</summary>
          <table class="chart-figures">
            <thead>
              <tr>
                <th>{span === 'day' ? 'Hour (UTC)' : 'Day (UTC)'}</th>
                <th>Imported</th>
                <th>Failed</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((bucket) => (
                <tr>
                  <td>{bucketLabel(span, bucket.start)}</td>
                  <td>{bucket.imported}</td>
                  <td>{bucket.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  )
}
