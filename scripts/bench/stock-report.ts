/**
 * The stock run's figures (scripts/bench/stock.ts) as flat bench-results keys and as BENCHMARKS.md's
 * stock section, which `npm run bench` renders with the rest and scripts/bench-stock.ts writes
 * alone, replacing only that section.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { BILLBEE_STOCK_BATCH } from '../../src/connectors/billbee/stock'
import { SHOPIFY_STOCK_BATCH } from '../../src/connectors/shopify/stock'
import { WOO_BATCH_LIMIT } from '../../src/connectors/woocommerce/stock'
import type { StockBenchResult, StockRunResult } from './stock'

const CHANNELS = [
  { key: 'billbee', name: 'Billbee', call: '`updatestockmultiple`', batch: BILLBEE_STOCK_BATCH },
  { key: 'shopify', name: 'Shopify', call: '`inventorySetOnHandQuantities`', batch: SHOPIFY_STOCK_BATCH },
  { key: 'woo', name: 'WooCommerce', call: '`products/batch`', batch: WOO_BATCH_LIMIT },
] as const

const RUNS = [
  { key: '', label: 'first run (every SKU new)' },
  { key: '_unchanged', label: 'the same run again, nothing changed' },
  { key: '_changed', label: 'after some SKUs changed in Wemalo' },
] as const

/** Flat keys: `stock_run_…` for the first run, `stock_run_unchanged_…`, `stock_run_changed_…`. */
export function stockResults(stock: StockBenchResult): Record<string, number> {
  const results: Record<string, number> = {
    stock_run_skus: stock.skus,
    stock_run_changed_skus: stock.changed,
    ...(stock.skus === 10_000 ? { stock_run_10k_s: stock.first.seconds } : {}),
  }
  const runs: [string, StockRunResult, number][] = [
    ['', stock.first, stock.skus],
    ['_unchanged', stock.unchanged, 0],
    ['_changed', stock.partial, stock.changed],
  ]
  for (const [key, run, changed] of runs) {
    const prefix = `stock_run${key}`
    results[`${prefix}_s`] = run.seconds
    results[`${prefix}_calls`] = Math.max(...CHANNELS.map((channel) => run.calls[channel.key]))
    for (const channel of CHANNELS) {
      results[`${prefix}_calls_${channel.key}`] = run.calls[channel.key]
      results[`${prefix}_calls_bound_${channel.key}`] = Math.ceil(changed / channel.batch)
    }
    results[`${prefix}_calls_bound`] = Math.max(...CHANNELS.map((channel) => Math.ceil(changed / channel.batch)))
    results[`${prefix}_calls_429_billbee`] = run.calls.billbee429 ?? 0
    results[`${prefix}_wemalo_calls`] = run.calls.wemalo
    results[`${prefix}_d1_statements`] = run.d1.statements
    results[`${prefix}_d1_round_trips`] = run.d1.roundTrips
    results[`${prefix}_d1_rows_written`] = run.d1.rowsWritten
  }
  return results
}

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

export const STOCK_HEADING = '## Stock run (ST1–ST4)'

/** BENCHMARKS.md's stock section from the flat keys; empty when the run was not measured. */
export function renderStockSection(r: Record<string, number>, info: { date: string; loadAverage: string }): string {
  if (r.stock_run_skus === undefined) return ''
  const within = (prefix: string) =>
    CHANNELS.every((channel) => r[`${prefix}_calls_${channel.key}`] <= r[`${prefix}_calls_bound_${channel.key}`])
      ? 'within'
      : '**over**'
  const rows = RUNS.map(({ key, label }) => {
    const prefix = `stock_run${key}`
    const skus = key === '' ? r.stock_run_skus : key === '_changed' ? r.stock_run_changed_skus : 0
    const calls = CHANNELS.map((channel) => fmt(r[`${prefix}_calls_${channel.key}`])).join(' / ')
    const bounds = CHANNELS.map((channel) => fmt(r[`${prefix}_calls_bound_${channel.key}`])).join(' / ')
    return `| ${label} | ${fmt(skus)} | ${fmt(r[`${prefix}_s`], 1)} | ${calls} (bound ${bounds}: ${within(prefix)}) | ${fmt(r[`${prefix}_calls_429_billbee`])} | ${fmt(r[`${prefix}_wemalo_calls`])} | ${fmt(r[`${prefix}_d1_statements`])} | ${fmt(r[`${prefix}_d1_round_trips`])} | ${fmt(r[`${prefix}_d1_rows_written`])} |`
  })
  return `${STOCK_HEADING}

scripts/bench/stock.ts: a Wemalo warehouse of ${fmt(r.stock_run_skus)} SKUs and three channels routed to it
(${CHANNELS.map((channel) => `${channel.name} ${channel.call}, ${channel.batch} per call`).join('; ')}), each
knowing every SKU, all simulated; Kontor as deployed behind scripts/bench/tenants-worker.ts, which
counts every D1 statement. The channels' own first imports are done before the first run, and
the first two runs fall within one hour. Each run is started by Wemalo's \`stock_change\` callback
and ends when its job is done; D1 counts everything from the callback on (intake, run, reads,
pushes). Wemalo's
figures were booked two hours before the first run, the changed SKUs' at the moment they changed:
availableStock (hour-granular) lists both for hours, and a SKU read after its last change is not
read again (ST1). Wemalo calls are the two availableStock lists plus one \`stock/reduced\` per SKU read.
Measured ${info.date}, load average ${info.loadAverage} on this shared machine (other work
shared the two cores: the seconds are noisy, the counts are exact).

| run | changed SKUs | s | write calls Billbee / Shopify / WooCommerce | Billbee 429s | Wemalo calls | D1 statements | round trips | rows written |
|---|---:|---:|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

Bound: ⌈changed SKUs / the channel's batch size⌉ calls per channel, 0 for unchanged SKUs.
Write calls are those the channel answered 2xx. Billbee answers 429 beyond 2 calls a second per
endpoint and the pacer sends the call again after the pause: those refused calls wrote nothing
and are counted apart (Billbee 429s), not against the bound.
Keys in bench-results.json: \`stock_run_10k_s\` (the first run at 10,000 SKUs), \`stock_run_calls\`
(the most of any channel) and \`stock_run_calls_<channel>\`, \`stock_run_calls_429_billbee\`, \`stock_run_wemalo_calls\`,
\`stock_run_d1_statements\`, \`_round_trips\`, \`_rows_written\`; the same with \`stock_run_unchanged_\`
and \`stock_run_changed_\`.
`
}

/** Replaces BENCHMARKS.md's stock section (or adds it before the backfill section), nothing else. */
export function writeStockSection(file: string, section: string) {
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf(STOCK_HEADING)
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + STOCK_HEADING.length)
    writeFileSync(file, text.slice(0, start) + section + (next >= 0 ? text.slice(next) : ''))
    return
  }
  const before = text.indexOf('## Backfill throughput')
  const at = before >= 0 ? before : text.length
  writeFileSync(file, `${text.slice(0, at)}${section}\n${text.slice(at)}`)
}
