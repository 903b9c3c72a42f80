/**
 * Runs only the stock bench (scripts/bench/stock.ts): `npx tsx scripts/bench-stock.ts [skus] [changed]`
 * (10,000 and 1,000 by default). Prints the figures and writes them into BENCHMARKS.md's stock
 * section, and only there (the rest of the file stays as the last full `npm run bench` left it).
 */
import path from 'node:path'
import { machine } from './bench/report'
import { benchStock } from './bench/stock'
import { renderStockSection, stockResults, writeStockSection } from './bench/stock-report'
import { bundleBenchWorker, root, startMiniflare } from './bench/miniflare'
import { routeOutbound } from '../test/simulators/router'

const skus = Number(process.argv[2] ?? 10_000)
const changed = Number(process.argv[3] ?? Math.ceil(skus / 10))
const runtime = await startMiniflare({
  kontorScript: bundleBenchWorker('tenants-worker'),
  consumeQueues: true,
  outbound: routeOutbound,
})
try {
  const stock = await benchStock(runtime, { skus, changed })
  const results = stockResults(stock)
  console.log(JSON.stringify(results, null, 2))
  writeStockSection(path.join(root, 'BENCHMARKS.md'), renderStockSection(results, machine()))
  console.log('wrote the stock section of BENCHMARKS.md')
} finally {
  await runtime.dispose()
}
