/**
 * ST3–ST4 for one channel: the SKUs whose stock revision moved past what the channel last got,
 * as the channel's sellable quantity. A quantity equal to the last written is recorded without
 * a call; the rest go out in full batches, each an exactly-once outbound step keyed by the
 * (SKU, revision) pairs it carries, so a retried message never sends the same batch twice, and
 * the record of what was written only ever moves forward (levels.ts).
 */
import type { StockWrite, StockWriteOutcome } from '../connectors/types'
import { sha256Hex } from '../core/crypto'
import { type Database, nowIso } from '../db/client'
import { outboundSteps } from '../exactly-once/steps'
import { type PendingStock, pendingForChannel, recordWrites, type WriteRecord } from './levels'
import type { StockChannelHandle } from './run'
import { sellableQuantity } from './sellable'

const PAGE = 1000

export type PushCounts = { calls: number; written: number; unchanged: number; skipped: number }

export async function pushToChannel(
  db: Database,
  channel: StockChannelHandle,
  warehouseId: string
): Promise<PushCounts> {
  const counts: PushCounts = { calls: 0, written: 0, unchanged: 0, skipped: 0 }
  const target = { id: channel.connection.id, tenantId: channel.connection.tenantId }
  const steps = outboundSteps(db, {
    tenantId: channel.connection.tenantId,
    connectionId: channel.connection.id,
    orderId: null,
    owner: `stock:${channel.connection.id}`,
    action: 'stock',
  })
  let queued: (StockWrite & { revision: number })[] = []

  const send = async (batch: (StockWrite & { revision: number })[]) => {
    const key = await sha256Hex(batch.map((item) => `${item.sku}@${item.revision}=${item.quantity}`).join('\n'))
    let outcomes: StockWriteOutcome[] = []
    const { skipped } = await steps.once(`write:${key.slice(0, 32)}`, async () => {
      outcomes = await channel.stock.write(
        channel.context,
        batch.map(({ sku, quantity }) => ({ sku, quantity })),
        key.slice(0, 32)
      )
      const skippedCount = outcomes.filter((outcome) => outcome.result === 'skipped').length
      return `${batch.length} SKUs (${batch[0].sku} … ${batch[batch.length - 1].sku}), ${skippedCount} skipped`
    })
    if (!skipped) counts.calls++
    const bySku = new Map(outcomes.map((outcome) => [outcome.sku, outcome] as const))
    const records: WriteRecord[] = batch.map((item) => {
      const outcome = bySku.get(item.sku)
      // A step found done already (its record was lost after the call) counts as written.
      const reason = outcome?.result === 'skipped' ? outcome.reason : null
      if (reason) counts.skipped++
      else counts.written++
      return { sku: item.sku, revision: item.revision, quantity: item.quantity, skippedReason: reason, sent: !reason }
    })
    await recordWrites(db, target, warehouseId, records, nowIso())
  }

  let after = ''
  for (;;) {
    const page: PendingStock[] = await pendingForChannel(db, warehouseId, channel.connection.id, after, PAGE)
    if (!page.length) break
    after = page[page.length - 1].sku
    const unchanged: WriteRecord[] = []
    for (const row of page) {
      const quantity = sellableQuantity(row, channel.buffer)
      if (quantity === row.lastQuantity) {
        unchanged.push({ sku: row.sku, revision: row.revision, quantity, skippedReason: null, sent: false })
      } else {
        queued.push({ sku: row.sku, quantity, revision: row.revision })
      }
    }
    counts.unchanged += unchanged.length
    await recordWrites(db, target, warehouseId, unchanged, nowIso())
    while (queued.length >= channel.stock.batchSize) {
      await send(queued.slice(0, channel.stock.batchSize))
      queued = queued.slice(channel.stock.batchSize)
    }
  }
  if (queued.length) await send(queued)
  return counts
}
