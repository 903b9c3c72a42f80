/** Runs only the stock bench (scripts/bench/stock.ts): `npx tsx scripts/bench-stock.ts [skus] [changed]`. */
import { benchStock } from './bench/stock'
import { bundleKontor, startMiniflare } from './bench/miniflare'
import { routeOutbound } from '../test/simulators/router'

const runtime = await startMiniflare({ kontorScript: bundleKontor(), consumeQueues: true, outbound: routeOutbound })
try {
  console.log(
    JSON.stringify(
      await benchStock(runtime, { skus: Number(process.argv[2] ?? 1000), changed: Number(process.argv[3] ?? 100) })
    )
  )
} finally {
  await runtime.dispose()
}
