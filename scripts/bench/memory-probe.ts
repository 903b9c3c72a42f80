/**
 * Where workerd's memory goes during an import, without Kontor's queue and fetch path:
 * `tsx scripts/bench/memory-probe.ts [pages]` runs three fresh workerd processes, each writing the
 * volume of `pages` backfill pages (250 orders each) and printing workerd's memory as it goes:
 *   1. the real importer (bench-only Worker, no queues, no outbound requests), page by page;
 *   2. D1 alone, no Kontor code: ~3 KB rows, three per order, one row per D1 call;
 *   3. the same rows, 50 per D1 call.
 * 2 and 3 write the same bytes; what differs between them follows the number of D1 calls.
 * bench-memory-probe.json keeps the rows for BENCHMARKS.md (scripts/bench/report.ts).
 */
import { writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { routeOutbound } from '../../test/simulators/router'
import { heapByIsolate } from './inspector'
import { bundleImporterBench, bundleKontor, root, startMiniflare, workerdMemoryDetail, workerUrl } from './miniflare'

const PAGES = Number(process.argv[2] ?? 40)
const ORDERS_PER_PAGE = 250
const ROWS_PER_ORDER = 3
const REPORT_EVERY = Math.max(1, Math.floor(PAGES / 4))
const PORT = 9341

type Row = Record<string, number | string>
const rows: Row[] = []
const kontorScript = process.env.BENCH_KONTOR_SCRIPT ?? bundleKontor()
const importerScript = bundleImporterBench()

async function probe(label: string, step: (page: number) => string) {
  const runtime = await startMiniflare({
    kontorScript,
    importerScript,
    consumeQueues: false,
    outbound: routeOutbound,
    inspectorPort: PORT,
  })
  const disk = () => Number(execFileSync('du', ['-sk', runtime.d1Dir], { encoding: 'utf8' }).split('\t')[0]) / 1024
  const report = async (orders: number) => {
    const memory = workerdMemoryDetail()
    const heap = await heapByIsolate(PORT)
    const v8 = heap.committedMb + heap.externalMb
    const row = {
      probe: label,
      orders,
      rssMb: Math.round(memory.rssMb),
      anonMb: Math.round(memory.anonMb),
      v8UsedMb: heap.totalMb,
      v8CommittedAndBuffersMb: Math.round(v8),
      anonOutsideV8Mb: Math.round(memory.anonMb - v8),
      d1DiskMb: Math.round(disk() * 10) / 10,
    }
    rows.push(row)
    console.log(Object.values(row).join('\t'))
  }
  try {
    await report(0)
    for (let page = 1; page <= PAGES; page++) {
      const response = await fetch(runtime.url, { headers: workerUrl('importer', step(page)) })
      if (!response.ok) throw new Error(await response.text())
      await response.arrayBuffer()
      if (page % REPORT_EVERY === 0 || page === PAGES) await report(page * ORDERS_PER_PAGE)
    }
  } finally {
    await runtime.dispose()
  }
}

const pageRows = ORDERS_PER_PAGE * ROWS_PER_ORDER
await probe('importer, a page per transaction', () => '/probe-page')
await probe('D1 alone, 1 row per call', () => `/probe-rows?rows=${pageRows}&perCall=1`)
await probe('D1 alone, 50 rows per call', () => `/probe-rows?rows=${pageRows}&perCall=50`)
writeFileSync(
  path.join(root, 'bench-memory-probe.json'),
  JSON.stringify({ date: new Date().toISOString(), pages: PAGES, rows }, null, 2) + '\n'
)
