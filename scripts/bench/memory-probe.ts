/**
 * Where workerd's memory goes during an import, without Kontor's queue and fetch path:
 * `tsx scripts/bench/memory-probe.ts [pages]` imports pages of 250 new orders through the real
 * importer (bench-only Worker, no queues, no outbound requests), then writes the same volume of
 * rows into D1 from Node without any Kontor code, printing workerd's memory after each step.
 * Run with MALLOC_ARENA_MAX=2 in the environment to see how much is allocator arenas.
 */
import { heapByIsolate } from './inspector'
import { bundleImporterBench, bundleKontor, startMiniflare, workerdMemoryDetail, workerUrl } from './miniflare'
import { routeOutbound } from '../../test/simulators/router'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { root } from './miniflare'

const PAGES = Number(process.argv[2] ?? 12)
const PORT = 9341
const runtime = await startMiniflare({
  kontorScript: process.env.BENCH_KONTOR_SCRIPT ?? bundleKontor(),
  importerScript: bundleImporterBench(),
  consumeQueues: false,
  outbound: routeOutbound,
  inspectorPort: PORT,
})
const disk = () => Number(execFileSync('du', ['-sk', runtime.d1Dir], { encoding: 'utf8' }).split('\t')[0]) / 1024
const rows: Record<string, number | string>[] = []
async function report(label: string) {
  const memory = workerdMemoryDetail()
  const heap = await heapByIsolate(PORT)
  const v8 = heap.committedMb + heap.externalMb
  rows.push({
    step: label,
    rssMb: Math.round(memory.rssMb),
    anonMb: Math.round(memory.anonMb),
    fileMb: Math.round(memory.fileMb),
    v8UsedMb: heap.totalMb,
    v8D1Mb: heap.d1Mb,
    v8CommittedAndBuffersMb: Math.round(v8),
    anonOutsideV8Mb: Math.round(memory.anonMb - v8),
    d1DiskMb: Math.round(disk() * 10) / 10,
  })
  console.log(
    `${label.padEnd(28)} RSS ${memory.rssMb.toFixed(0)} anon ${memory.anonMb.toFixed(0)} file ${memory.fileMb.toFixed(0)} | V8 used ${heap.totalMb} (importer/kontor ${heap.kontorMb}, D1 ${heap.d1Mb}) committed+buffers ${v8.toFixed(0)} | anon outside V8 ${(memory.anonMb - v8).toFixed(0)} | D1 disk ${disk().toFixed(1)}`
  )
}
try {
  await report('start')
  for (let page = 1; page <= PAGES; page++) {
    const response = await fetch(runtime.url, { headers: workerUrl('importer', '/probe-page') })
    if (!response.ok) throw new Error(await response.text())
    await response.arrayBuffer()
    if (page % 4 === 0) await report(`importer: ${page * 250} orders`)
  }
  // The same kind of volume written by D1 alone: ~3 KB per row, one batch of 10 rows at a time.
  const db = await runtime.mf.getD1Database('DB', 'kontor')
  await db.prepare('create table probe (id integer primary key, body text)').run()
  const body = 'x'.repeat(3000)
  for (let row = 0; row < PAGES * 250 * 3; row += 10) {
    await db.batch(Array.from({ length: 10 }, () => db.prepare('insert into probe (body) values (?)').bind(body)))
    if ((row + 10) % (250 * 3 * 4) === 0) await report(`raw D1: ${(row + 10) / 3} "orders"`)
  }
  writeFileSync(
    path.join(root, 'bench-memory-probe.json'),
    JSON.stringify(
      { date: new Date().toISOString(), mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null, rows },
      null,
      2
    ) + '\n'
  )
} finally {
  await runtime.mf.dispose()
}
