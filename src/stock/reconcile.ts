/**
 * ST5's nightly reconciliation: every channel routed to the warehouse is asked for its own
 * figure of each SKU Kontor writes to it (in the channel's batch size). The figure is kept next
 * to what Kontor last wrote; where they differ the API and the Stock page show drift. A SKU the
 * channel no longer knows is recorded without a figure.
 */
import { keyringOf } from '../core/crypto'
import { logger } from '../core/logger'
import { database, nowIso } from '../db/client'
import { loadConnection } from '../db/connections'
import type { Bindings } from '../env'
import { recordChannelFigures, writtenSkus } from './levels'
import { stockChannels } from './run'

export async function reconcileStock(env: Bindings, warehouseId: string) {
  const db = database(env.DB)
  const warehouse = await loadConnection(db, keyringOf(env), warehouseId)
  if (!warehouse) return
  for (const channel of await stockChannels(db, env, warehouse)) {
    let after = ''
    let read = 0
    for (;;) {
      const skus = (await writtenSkus(db, channel.connection.id, after, channel.stock.batchSize)).map((row) => row.sku)
      if (!skus.length) break
      after = skus[skus.length - 1]
      const figures = await channel.stock.read(channel.context, skus)
      await recordChannelFigures(
        db,
        channel.connection.id,
        skus.map((sku) => ({ sku, quantity: figures.get(sku) ?? null })),
        nowIso()
      )
      read += skus.length
    }
    logger.info('stock reconciled', { warehouseId, channelId: channel.connection.id, skus: read })
  }
}
