/**
 * ST5's read model: per SKU and warehouse, Wemalo's figures, the sellable quantity and per
 * channel what Kontor last wrote, when, from which revision, whether it is still to be written,
 * why a SKU was skipped, and the channel's own figure at the last reconciliation with the drift.
 * Paged by (SKU, warehouse) ascending; `sku` matches from the start of the SKU.
 */
import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm'
import { ApiError } from '../core/errors'
import type { Database } from '../db/client'
import { decodeCursor, keysetPage } from '../db/keyset'
import { connections, stockLevels, stockWrites } from '../db/schema'
import { sellableQuantity } from './sellable'

export type StockChannelView = {
  connectionId: string
  name: string | null
  platform: string | null
  quantity: number | null
  revision: number
  writtenAt: string | null
  pending: boolean
  skippedReason: string | null
  channelQuantity: number | null
  reconciledAt: string | null
  drift: boolean
}

export type StockView = {
  sku: string
  warehouseId: string
  physical: number
  reserved: number
  notReserved: number
  inFlight: number
  /** Before any channel's buffer. */
  sellable: number
  revision: number
  readAt: string
  changedAt: string
  channels: StockChannelView[]
}

export type StockQuery = { sku?: string; connectionId?: string; cursor?: string; limit: number; driftOnly?: boolean }

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (match) => `\\${match}`)}%`

export async function listStock(db: Database, tenantId: string, query: StockQuery) {
  const position = query.cursor ? decodeCursor(query.cursor) : null
  if (query.cursor && !position) throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API gave out')
  const rows = await db
    .select()
    .from(stockLevels)
    .where(
      and(
        eq(stockLevels.tenantId, tenantId),
        query.sku ? sql`${stockLevels.sku} like ${likePrefix(query.sku)} escape '\\'` : undefined,
        query.connectionId
          ? or(
              eq(stockLevels.warehouseId, query.connectionId),
              sql`exists (select 1 from ${stockWrites} where ${stockWrites.channelId} = ${query.connectionId}
                and ${stockWrites.sku} = ${stockLevels.sku} and ${stockWrites.warehouseId} = ${stockLevels.warehouseId})`
            )
          : undefined,
        query.driftOnly
          ? sql`exists (select 1 from ${stockWrites} where ${stockWrites.sku} = ${stockLevels.sku}
              and ${stockWrites.warehouseId} = ${stockLevels.warehouseId}
              and ${stockWrites.channelQuantity} is not ${stockWrites.quantity} and ${stockWrites.reconciledAt} is not null)`
          : undefined,
        position
          ? or(
              gt(stockLevels.sku, position[0]),
              and(eq(stockLevels.sku, position[0]), gt(stockLevels.warehouseId, position[1]))
            )
          : undefined
      )
    )
    .orderBy(asc(stockLevels.sku), asc(stockLevels.warehouseId))
    .limit(query.limit + 1)
  const { page, nextCursor } = keysetPage(rows, query.limit, (row) => [row.sku, row.warehouseId])
  const skus = [...new Set(page.map((row) => row.sku))]
  // The page's channel figures and the tenant's connection names in one round trip.
  const [writes, channelRows] = skus.length
    ? await db.batch([
        db
          .select()
          .from(stockWrites)
          .where(and(eq(stockWrites.tenantId, tenantId), inArray(stockWrites.sku, skus))),
        db
          .select({ id: connections.id, name: connections.name, platform: connections.platform })
          .from(connections)
          .where(eq(connections.tenantId, tenantId)),
      ])
    : [[], []]
  const names = new Map(channelRows.map((row) => [row.id, row]))
  const items: StockView[] = page.map((level) => ({
    sku: level.sku,
    warehouseId: level.warehouseId,
    physical: level.physical,
    reserved: level.reserved,
    notReserved: level.notReserved,
    inFlight: level.inFlight,
    sellable: sellableQuantity(level, 0),
    revision: level.revision,
    readAt: level.readAt,
    changedAt: level.changedAt,
    channels: writes
      .filter((write) => write.sku === level.sku && write.warehouseId === level.warehouseId)
      .map((write) => ({
        connectionId: write.channelId,
        name: names.get(write.channelId)?.name ?? null,
        platform: names.get(write.channelId)?.platform ?? null,
        quantity: write.quantity,
        revision: write.revision,
        writtenAt: write.writtenAt,
        pending: write.revision < level.revision,
        skippedReason: write.skippedReason,
        channelQuantity: write.channelQuantity,
        reconciledAt: write.reconciledAt,
        drift: write.reconciledAt !== null && write.channelQuantity !== write.quantity,
      })),
  }))
  return { items, nextCursor }
}
