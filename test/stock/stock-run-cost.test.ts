/**
 * D1 cost of a stock run (SPEC §7), counted through a counting D1 binding with the run's
 * messages handled in this isolate: a chunk of 100 SKUs and a batch of 100 writes each cost a
 * constant number of statements, whatever their size (one JSON parameter carries the rows).
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { Bindings } from '../../src/env'
import type { DispatchMessage } from '../../src/queue/messages'
import { pushStock, readStockChunk, startStockRun } from '../../src/stock/run'
import { countingD1 } from '../import/counting-d1'
import { simulatorCall } from '../helpers'
import { stockTenant, type StockTenant, writeCalls } from './support'

/** One run, its messages handled in order here; the D1 statements it made. */
async function countedRun(loop: StockTenant, mode: 'changes' | 'full') {
  const { db, counts } = countingD1(env.DB)
  const messages: DispatchMessage[] = []
  const dispatch = {
    send: async (body: DispatchMessage) => void messages.push(body),
    sendBatch: async (list: { body: DispatchMessage }[]) => void messages.push(...list.map((entry) => entry.body)),
  }
  const counted = { ...env, DB: db, DISPATCH: dispatch } as unknown as Bindings
  await startStockRun(counted, loop.wemalo.id, mode)
  while (messages.length) {
    const message = messages.shift()!
    if (message.type === 'stock-read') await readStockChunk(counted, message.warehouseId, message.jobId, message.skus)
    if (message.type === 'stock-push') await pushStock(counted, message.warehouseId, message.jobId)
  }
  return counts
}

describe('D1 cost of a stock run (ST1–ST4)', () => {
  it('ST4: statements per run grow with chunks and batches, not with SKUs; an unchanged run writes nothing to the channels', async () => {
    const stock = Array.from({ length: 300 }, (_, index) => ({
      sku: `C-${String(index).padStart(4, '0')}`,
      quantity: index % 7,
    }))
    const loop = await stockTenant(stock)
    const first = await countedRun(loop, 'full')
    expect(await writeCalls(loop)).toEqual({ billbee: 3, shopify: 3, woo: 3 })
    const unchanged = await countedRun(loop, 'full')
    expect(await writeCalls(loop)).toEqual({ billbee: 3, shopify: 3, woo: 3 })
    await simulatorCall(loop.wemaloHost, '/_sim/stock', { articles: [{ sku: 'C-0001', quantity: 50 }] })
    const one = await countedRun(loop, 'full')
    expect(await writeCalls(loop)).toEqual({ billbee: 4, shopify: 4, woo: 4 })
    console.log(
      `D1 per stock run of 300 SKUs to 3 channels: first ${first.statements} statements in ${first.roundTrips} round trips; ` +
        `unchanged ${unchanged.statements} in ${unchanged.roundTrips}; one SKU changed ${one.statements} in ${one.roundTrips}`
    )
    // 3 read chunks and 3 batches per channel: a bounded number per chunk and batch, never per SKU.
    expect(first.statements).toBeLessThan(120)
    expect(unchanged.statements).toBeLessThan(first.statements)
  })
})
