/**
 * `npm run bench`: SPEC §7 measured, never asserted (and never part of `npm test`). Kontor's
 * bundle (wrangler deploy --dry-run), a bare Hono handler and a bench-only importer Worker run
 * in one Miniflare (one workerd process); load comes from this Node process over loopback.
 *   1. CPU per platform: verify + parse + map of a typical order (Node, tinybench)
 *   2. intake: signed Shopify webhooks vs a bare Hono 202, load and single-request latency
 *   3. D1 statements per imported order: the real importer through a counting D1 binding
 *   4. backfill throughput: BENCH_BACKFILL_ORDERS (10,000) orders, time split fetch / map / D1
 *   5. backfill memory: BENCH_MEMORY_ORDERS (25,000) orders, workerd RSS and V8 heaps every 5,000
 *   6. an order's whole life: statements, round trips, rows written and bytes per step (lifecycle.ts)
 *   7. many tenants on one D1: 50 tenants under a steady mixed load for BENCH_TENANT_SECONDS (60)
 *      seconds, and from both `tenants_per_d1` (tenants.ts, capacity.ts)
 * Writes bench-results.json (flat keys, numbers) and BENCHMARKS.md from the same numbers.
 * BENCH_QUICK=1: 3,000 orders (one backfill for both), 5 s of load, 15 s of many tenants, 20 lives.
 * Tuning: BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_BACKFILL_ORDERS, BENCH_MEMORY_ORDERS,
 * BENCH_LIVES (60), BENCH_TENANTS (50), BENCH_TENANT_SECONDS, BENCH_TENANT_RATE (orders/s, 4),
 * BENCH_INSPECTOR_PORT (9339). BENCH_REPORT_ONLY=1 writes BENCHMARKS.md again from the last run
 * (dist/bench/last-run.json), e.g. after `tsx scripts/bench/memory-probe.ts` added its control run.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { benchBackfill, type BackfillResult, onWorkerLog, timedOutbound } from './bench/backfill'
import { benchCpu } from './bench/cpu'
import { benchD1 } from './bench/d1'
import { benchIntake } from './bench/intake'
import { capacity } from './bench/capacity'
import { benchLifecycle, LIFECYCLE_STEPS } from './bench/lifecycle'
import {
  bundleBare,
  bundleBenchWorker,
  bundleImporterBench,
  bundleKontor,
  root,
  startMiniflare,
} from './bench/miniflare'
import { benchTenants } from './bench/tenants'
import { machine, renderMarkdown } from './bench/report'
import { benchStock } from './bench/stock'
import { stockResults } from './bench/stock-report'

const lastRunFile = path.join(root, 'dist/bench/last-run.json')
if (process.env.BENCH_REPORT_ONLY === '1') {
  // BENCHMARKS.md again from the last run's numbers (e.g. after scripts/bench/memory-probe.ts).
  const last = JSON.parse(readFileSync(lastRunFile, 'utf8'))
  writeFileSync(path.join(root, 'BENCHMARKS.md'), renderMarkdown(last))
  console.log('wrote BENCHMARKS.md from', lastRunFile)
  process.exit(0)
}

const QUICK = process.env.BENCH_QUICK === '1'
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 5 : 10)) * 1000
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const BACKFILL_ORDERS = Number(process.env.BENCH_BACKFILL_ORDERS ?? (QUICK ? 3000 : 10_000))
const MEMORY_ORDERS = QUICK ? 0 : Number(process.env.BENCH_MEMORY_ORDERS ?? 25_000)
const CPU_MS = QUICK ? 1000 : 3000
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9339)
const LIVES = Number(process.env.BENCH_LIVES ?? (QUICK ? 20 : 60))
const TENANTS = Number(process.env.BENCH_TENANTS ?? 50)
const TENANT_SECONDS = Number(process.env.BENCH_TENANT_SECONDS ?? (QUICK ? 15 : 60))
const TENANT_RATE = Number(process.env.BENCH_TENANT_RATE ?? 4)

const benchStarted = performance.now()
const results: Record<string, number> = {}
const step = (name: string) => console.log(`[${((performance.now() - benchStarted) / 1000).toFixed(0)}s] ${name}`)

step('bundling')
const kontorScript = bundleKontor()
const bareScript = bundleBare()
const importerScript = bundleImporterBench()
const lifecycleScript = bundleBenchWorker('lifecycle-worker')
const tenantsScript = bundleBenchWorker('tenants-worker')

step('CPU per platform')
const cpu = await benchCpu(CPU_MS)
for (const entry of cpu) {
  results[`cpu_us_${entry.platform}`] = entry.medianUs
  results[`cpu_us_p99_${entry.platform}`] = entry.p99Us
  results[`cpu_wall_us_${entry.platform}`] = entry.wallMedianUs
  results[`cpu_wall_us_p99_${entry.platform}`] = entry.wallP99Us
  console.log(
    `  ${entry.platform.padEnd(14)} ${entry.webhook ? 'verify + ' : ''}parse + map, ${entry.bytes} B, ${entry.lines} line(s): CPU median ${entry.medianUs} µs, p99 ${entry.p99Us} µs; wall median ${entry.wallMedianUs} µs, p99 ${entry.wallP99Us} µs`
  )
}

step("intake, D1 statements and an order's life")
const intakeRun = await startMiniflare({
  kontorScript,
  bareScript,
  importerScript,
  lifecycleScript,
  consumeQueues: false,
  outbound: timedOutbound,
})
let intake, d1, lifecycle
try {
  intake = await benchIntake(intakeRun, { durationMs: DURATION_MS, concurrency: CONCURRENCY })
  Object.assign(results, {
    intake_rps: intake.intakeLoad.perSecond,
    bare_rps: intake.bareLoad.perSecond,
    intake_ratio: Math.round(intake.ratio * 1000) / 1000,
    intake_errors: intake.intakeLoad.errors,
    intake_p50_ms: round2(intake.intakeLatency.median),
    intake_p99_ms: round2(intake.intakeLatency.p99),
    bare_p50_ms: round2(intake.bareLatency.median),
    bare_p99_ms: round2(intake.bareLatency.p99),
  })
  console.log(
    `  bare ${results.bare_rps} req/s, intake ${results.intake_rps} req/s (${(intake.ratio * 100).toFixed(0)} %, ${intake.intakeLoad.errors} errors); single request: intake p50 ${results.intake_p50_ms} ms p99 ${results.intake_p99_ms} ms, bare p50 ${results.bare_p50_ms} ms p99 ${results.bare_p99_ms} ms`
  )
  d1 = await benchD1(intakeRun)
  for (const [scenario, counts] of Object.entries(d1)) {
    // Issue 16: the hand-over's cost has keys of its own.
    const prefix = scenario === 'handover' ? 'handover_' : 'd1_'
    const suffix = scenario === 'handover' ? '' : `_${scenario}`
    results[`${prefix}statements${suffix}`] = counts.statements
    results[`${prefix}round_trips${suffix}`] = counts.roundTrips
    console.log(`  ${scenario}: ${counts.statements} statements, ${counts.roundTrips} round trips`)
  }
  lifecycle = await benchLifecycle(intakeRun, LIVES)
  Object.assign(results, {
    lifecycle_statements: lifecycle.total.statements,
    lifecycle_round_trips: lifecycle.total.roundTrips,
    lifecycle_rows_written: lifecycle.total.rowsWritten,
    lifecycle_messages: lifecycle.total.messages,
    bytes_per_order: lifecycle.bytesPerOrder,
    bytes_per_order_inbox_bodies: lifecycle.inboxBodyBytesPerOrder,
    bytes_per_order_hub_bodies: lifecycle.hubBodyBytesPerOrder,
    lifecycle_orders: lifecycle.orders,
  })
  for (const name of LIFECYCLE_STEPS) {
    const counts = lifecycle.steps[name]
    results[`lifecycle_${name}_statements`] = counts.statements
    results[`lifecycle_${name}_round_trips`] = counts.roundTrips
    results[`lifecycle_${name}_rows_written`] = counts.rowsWritten
    console.log(
      `  life, ${name}: ${counts.statements} statements, ${counts.roundTrips} round trips, ${counts.rowsWritten} rows written`
    )
  }
  console.log(
    `  life in all: ${lifecycle.total.statements} statements, ${lifecycle.total.roundTrips} round trips, ${lifecycle.total.rowsWritten} rows written, ${lifecycle.bytesPerOrder} bytes per order`
  )
} finally {
  await intakeRun.dispose()
}

async function backfillRun(orders: number, checkpointEvery: number): Promise<BackfillResult> {
  const runtime = await startMiniflare({
    kontorScript,
    consumeQueues: true,
    outbound: timedOutbound,
    inspectorPort: INSPECTOR_PORT,
    onLog: onWorkerLog,
  })
  try {
    return await benchBackfill(runtime, { orders, checkpointEvery, inspectorPort: INSPECTOR_PORT })
  } finally {
    await runtime.dispose()
  }
}

const k = (orders: number) => (orders % 1000 === 0 ? `${orders / 1000}k` : String(orders))

step(`backfill of ${BACKFILL_ORDERS} orders`)
const throughput = await backfillRun(BACKFILL_ORDERS, QUICK ? 1000 : 5000)
const split = throughput.split
Object.assign(results, {
  backfill_orders: throughput.orders,
  backfill_orders_stored: throughput.ordersStored,
  backfill_seconds: throughput.seconds,
  backfill_seed_seconds: throughput.seedSeconds,
  backfill_orders_per_s: throughput.perSecond,
  backfill_pages: throughput.pages,
  backfill_throttled: throughput.throttled,
  backfill_fetch_ms: split.fetchMs,
  backfill_map_ms: split.mapMs,
  backfill_d1_ms: split.d1Ms,
  backfill_queue_ms: split.queueMs,
  backfill_pages_timed: split.pagesTimed,
})
console.log(
  `  ${throughput.orders} orders in ${throughput.seconds} s (${throughput.perSecond}/s); fetch ${split.fetchMs} ms, map ${split.mapMs} ms, D1 ${split.d1Ms} ms, queue ${split.queueMs} ms over ${split.pagesTimed} pages`
)

let memory: BackfillResult = throughput
if (MEMORY_ORDERS) {
  step(`backfill of ${MEMORY_ORDERS} orders (memory)`)
  memory = await backfillRun(MEMORY_ORDERS, 5000)
  Object.assign(results, {
    backfill_memory_orders_per_s: memory.perSecond,
    backfill_memory_seconds: memory.seconds,
    backfill_memory_fetch_ms: memory.split.fetchMs,
    backfill_memory_map_ms: memory.split.mapMs,
    backfill_memory_d1_ms: memory.split.d1Ms,
    backfill_memory_queue_ms: memory.split.queueMs,
  })
}
for (const point of memory.checkpoints) {
  const key = k(point.orders)
  results[`backfill_rss_mb_${key}`] = Math.round(point.rssMb)
  results[`backfill_anon_mb_${key}`] = Math.round(point.anonMb)
  results[`backfill_v8_heap_mb_${key}`] = point.heap.totalMb
  results[`backfill_v8_kontor_mb_${key}`] = point.heap.kontorMb
  results[`backfill_d1_disk_mb_${key}`] = Math.round(point.d1DiskMb * 10) / 10
  console.log(
    `  ${point.orders} orders: RSS ${Math.round(point.rssMb)} MB (anon ${Math.round(point.anonMb)}, file ${Math.round(point.fileMb)}), V8 used ${point.heap.totalMb} MB (Kontor ${point.heap.kontorMb}, D1 ${point.heap.d1Mb}), D1 on disk ${point.d1DiskMb.toFixed(1)} MB`
  )
}
const last = memory.checkpoints.at(-1)!
const ten = memory.checkpoints.find((point) => point.orders >= 10_000 && point.orders < 15_000)
const lastTenK = memory.checkpoints.find((point) => point.orders >= last.orders - 10_000)
if (ten && lastTenK && last.orders >= 20_000) {
  results.backfill_rss_growth_last_10k_mb = Math.round(last.rssMb - lastTenK.rssMb)
  results.backfill_rss_growth_last_10k_pct = Math.round(((last.rssMb - lastTenK.rssMb) / ten.rssMb) * 1000) / 10
}
results.backfill_rss_mb_after = Math.round(memory.after.rssMb)

step(`many tenants: ${TENANTS} for ${TENANT_SECONDS} s`)
const tenantsRun = await startMiniflare({ kontorScript: tenantsScript, consumeQueues: true, outbound: timedOutbound })
let tenants
try {
  tenants = await benchTenants(tenantsRun, {
    tenants: TENANTS,
    seconds: TENANT_SECONDS,
    ordersPerSecond: TENANT_RATE,
    drainSeconds: QUICK ? 20 : 60,
  })
} finally {
  await tenantsRun.dispose()
}
const limits = capacity({
  // The heavier of the two: one webhook order's life alone, or everything the load did per order.
  statementsPerOrder: Math.max(tenants.statementsPerOrder, lifecycle!.total.statements),
  rowsWrittenPerOrder: tenants.rowsWrittenPerOrder,
  bytesPerOrder: lifecycle!.bytesPerOrder,
})
Object.assign(results, {
  tenants: tenants.tenants,
  tenants_seconds: tenants.seconds,
  tenants_orders: tenants.ordersStored,
  tenants_orders_shipped: tenants.shipped,
  tenants_statements_per_s: tenants.statementsPerSecond,
  tenants_statements_per_s_peak: tenants.statementsPerSecondPeak,
  tenants_round_trips_per_s: tenants.roundTripsPerSecond,
  tenants_rows_written_per_s: tenants.rowsWrittenPerSecond,
  tenants_statements_per_order: tenants.statementsPerOrder,
  tenants_rows_written_per_order: tenants.rowsWrittenPerOrder,
  tenants_intake_p50_ms: tenants.intakeP50Ms,
  tenants_intake_p99_ms: tenants.intakeP99Ms,
  tenants_backlog_max: tenants.backlogMax,
  tenants_drain_s: tenants.drainSeconds,
  tenants_dead_letters: tenants.deadLetters,
  tenants_per_d1: limits.tenantsPerD1,
  tenants_per_d1_storage: limits.tenantsPerD1Storage,
  d1_days_one_tenant: limits.daysOneTenant,
})
console.log(
  `  ${tenants.ordersStored} orders of ${tenants.tenants} tenants in ${tenants.seconds} s: ${tenants.statementsPerSecond} statements/s (peak ${tenants.statementsPerSecondPeak}), ${tenants.rowsWrittenPerSecond} rows written/s, ${tenants.statementsPerOrder} statements per order; intake p99 ${tenants.intakeP99Ms} ms; drained in ${tenants.drainSeconds} s`
)
console.log(
  `  tenants_per_d1 ${limits.tenantsPerD1} (throughput), ${limits.tenantsPerD1Storage} (10 GB, ${limits.assumptions.hotDays} days hot); one tenant fills 10 GB in ${limits.daysOneTenant} days`
)

// SPEC §7 stock: a run of STOCK_SKUS SKUs to three channels, then an unchanged run, then STOCK_CHANGED changed.
const STOCK_SKUS = Number(process.env.BENCH_STOCK_SKUS ?? (QUICK ? 500 : 10_000))
const STOCK_CHANGED = Math.ceil(STOCK_SKUS / 10)
step(`stock run of ${STOCK_SKUS} SKUs to three channels`)
// Kontor behind the counting worker, so the run's D1 statements are counted.
const stockRuntime = await startMiniflare({ kontorScript: tenantsScript, consumeQueues: true, outbound: timedOutbound })
try {
  const stock = await benchStock(stockRuntime, { skus: STOCK_SKUS, changed: STOCK_CHANGED })
  Object.assign(results, stockResults(stock))
  console.log(`  ${JSON.stringify(stock)}`)
} finally {
  await stockRuntime.dispose()
}

results.quick = QUICK ? 1 : 0
results.bench_seconds = Math.round((performance.now() - benchStarted) / 1000)
const info = machine()
writeFileSync(path.join(root, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n')
const report = {
  results,
  info,
  cpu,
  intake: intake!,
  d1: d1!,
  lifecycle: lifecycle!,
  tenants,
  limits,
  throughput,
  memory,
  quick: QUICK,
  concurrency: CONCURRENCY,
  durationMs: DURATION_MS,
}
writeFileSync(lastRunFile, JSON.stringify(report))
writeFileSync(path.join(root, 'BENCHMARKS.md'), renderMarkdown(report))
step('wrote bench-results.json and BENCHMARKS.md')

function round2(value: number) {
  return Math.round(value * 100) / 100
}
