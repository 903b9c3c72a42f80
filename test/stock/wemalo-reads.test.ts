/**
 * ST1: how often a stock run reads Wemalo. availableStock is hour-granular, so it keeps listing a
 * SKU for hours after one change; a SKU read after its last change is not read again, and one
 * changed again in the same hour after the read is. The run's clock is pinned (Date only) to
 * minutes of the next hour, so it only moves forward (the pacers keep time too), and the simulator
 * books each change at a given time, so the hour windows are exact whatever the wall clock says;
 * the run's messages are handled here in order.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Bindings } from '../../src/env'
import type { DispatchMessage } from '../../src/queue/messages'
import { pushStock, readStockChunk, startStockRun } from '../../src/stock/run'
import { apiJson, simulatorCall } from '../helpers'
import { stockTenant, type StockTenant, writeCalls } from './support'

const HOUR = 3_600_000
const hourStart = (Math.floor(Date.now() / HOUR) + 1) * HOUR
const at = (offsetMs: number) => new Date(hourStart + offsetMs)

/** One run at `now` (the Worker's clock), its messages handled in order. */
async function runAt(loop: StockTenant, now: Date, mode: 'changes' | 'full' = 'changes') {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(now)
  const messages: DispatchMessage[] = []
  const dispatch = {
    send: async (body: DispatchMessage) => void messages.push(body),
    sendBatch: async (list: { body: DispatchMessage }[]) => void messages.push(...list.map((entry) => entry.body)),
  }
  const runEnv = { ...env, DISPATCH: dispatch } as unknown as Bindings
  await startStockRun(runEnv, loop.wemalo.id, mode)
  while (messages.length) {
    const message = messages.shift()!
    if (message.type === 'stock-read') await readStockChunk(runEnv, message.warehouseId, message.jobId, message.skus)
    if (message.type === 'stock-push') await pushStock(runEnv, message.warehouseId, message.jobId)
  }
  vi.useRealTimers()
}

/** The SKUs whose figures Wemalo was asked for so far, in order. */
async function figureReads(loop: StockTenant): Promise<string[]> {
  const { requests } = await simulatorCall(loop.wemaloHost, '/_sim/requests')
  return requests
    .map((request: { path: string }) => /\/product\/stock\/reduced\/([^?]+)/.exec(request.path)?.[1])
    .filter(Boolean)
}

/** The stock tenant, its Wemalo articles booked at the given times. */
async function tenantChangedAt(articles: { sku: string; quantity: number; changedAt: string }[]) {
  const loop = await stockTenant(articles)
  await simulatorCall(loop.wemaloHost, '/_sim/stock', { articles })
  return loop
}

const stockOf = async (loop: StockTenant, sku: string) =>
  (await apiJson(`/api/v1/stock?sku=${sku}`, { token: loop.tenant.token })).items[0]

afterEach(() => vi.useRealTimers())

describe('Wemalo reads of a stock run (ST1)', () => {
  it('ST1: a SKU read after its last change is not read again while availableStock still lists it in the hour window', async () => {
    // Both changed in the previous hour: the window of every run for three hours lists them.
    const loop = await tenantChangedAt([
      { sku: 'QUIET-A', quantity: 7, changedAt: at(-30 * 60_000).toISOString() },
      { sku: 'QUIET-B', quantity: 3, changedAt: at(-20 * 60_000).toISOString() },
    ])
    await runAt(loop, at(10 * 60_000))
    expect(await figureReads(loop)).toEqual(['QUIET-A', 'QUIET-B'])

    await runAt(loop, at(25 * 60_000))
    await runAt(loop, at(40 * 60_000))
    expect(await figureReads(loop)).toEqual(['QUIET-A', 'QUIET-B'])
    expect((await stockOf(loop, 'QUIET-A')).notReserved).toBe(7)
  })

  it('ST1: a SKU changed again in the same hour after its last read is read again and its new figure written, on every run of that hour', async () => {
    const loop = await tenantChangedAt([
      { sku: 'AGAIN-A', quantity: 5, changedAt: at(-30 * 60_000).toISOString() },
      { sku: 'AGAIN-B', quantity: 9, changedAt: at(-30 * 60_000).toISOString() },
    ])
    await runAt(loop, at(10 * 60_000))
    expect(await figureReads(loop)).toEqual(['AGAIN-A', 'AGAIN-B'])
    const written = await writeCalls(loop)

    // A goods receipt of AGAIN-A booked at :20, after the read at :10, in the same hour.
    await simulatorCall(loop.wemaloHost, '/_sim/stock', {
      articles: [{ sku: 'AGAIN-A', quantity: 12, changedAt: at(20 * 60_000).toISOString() }],
    })
    await runAt(loop, at(25 * 60_000))
    expect(await figureReads(loop)).toEqual(['AGAIN-A', 'AGAIN-B', 'AGAIN-A'])
    expect((await stockOf(loop, 'AGAIN-A')).notReserved).toBe(12)
    const after = await writeCalls(loop)
    expect(after).toEqual({ billbee: written.billbee + 1, shopify: written.shopify + 1, woo: written.woo + 1 })

    // Within the hour, availableStock cannot say whether the change came before or after the
    // last read: AGAIN-A is read on every run of this hour, AGAIN-B (last changed an hour ago) not.
    await runAt(loop, at(40 * 60_000))
    expect(await figureReads(loop)).toEqual(['AGAIN-A', 'AGAIN-B', 'AGAIN-A', 'AGAIN-A'])
    expect(await writeCalls(loop)).toEqual(after)
  })
})
