/**
 * The stock tables (ST1–ST4) in D1. Figures and in-flight quantities are written by one
 * statement each, so the in-flight part is read in the same statement that stores it: an order
 * imported while a run reads Wemalo is either in that figure or still pending at the next run.
 */
import { sql } from 'drizzle-orm'
import type { ChangedSku, StockFigures } from '../connectors/types'
import type { Database } from '../db/client'

/** Hub orders not yet accepted by the warehouse: their hand-over is still pending. */
const inFlightOf = (warehouseId: string, skuSql: ReturnType<typeof sql>) => sql`(
  select coalesce(sum(coalesce(json_extract(line.value, '$.currentQuantity'), json_extract(line.value, '$.quantity'))), 0)
  from handovers h join orders o on o.id = h.order_id, json_each(o.lines) line
  where h.destination_id = ${warehouseId} and h.state = 'pending' and json_extract(line.value, '$.sku') = ${skuSql})`

/** SKUs of hub orders the warehouse has not accepted yet, and those that were at the last read. */
export async function skusInFlight(db: Database, warehouseId: string): Promise<string[]> {
  const rows = await db.all<{ sku: string }>(sql`
    select distinct json_extract(line.value, '$.sku') as sku
    from handovers h join orders o on o.id = h.order_id, json_each(o.lines) line
    where h.destination_id = ${warehouseId} and h.state = 'pending' and json_extract(line.value, '$.sku') is not null
    union
    select sku from stock_levels where warehouse_id = ${warehouseId} and in_flight > 0`)
  return rows.map((row) => row.sku)
}

/** SKUs per statement when asking which listed SKUs are still current (one JSON parameter). */
const CURRENT_CHUNK = 1000

/**
 * Which of some listed SKUs were read at or after their `unchangedSince`. A CROSS JOIN, because
 * SQLite keeps its left side as the outer loop: the listed SKUs are walked once and each looked
 * up by the primary key. With a plain JOIN and no ANALYZE statistics (D1 keeps none), SQLite may
 * walk every stock level of the warehouse and scan the whole JSON list for each: 10,000 levels ×
 * 1,000 listed SKUs per statement, minutes for a run that has nothing to read.
 */
export const stillCurrentSql = (warehouseId: string, listed: Pick<ChangedSku, 'sku' | 'unchangedSince'>[]) => sql`
  select l.sku as sku from json_each(${JSON.stringify(listed)}) listed
  cross join stock_levels l on l.warehouse_id = ${warehouseId} and l.sku = json_extract(listed.value, '$.sku')
  where l.read_at >= json_extract(listed.value, '$.unchangedSince')`

/**
 * Of the SKUs the warehouse lists as changed, those whose figures were read at or after the
 * instant since which it vouches for no change: what Kontor holds of them is still current.
 */
export async function skusStillCurrent(db: Database, warehouseId: string, changed: ChangedSku[]): Promise<Set<string>> {
  const vouched = changed.filter((entry) => entry.unchangedSince !== null)
  const current = new Set<string>()
  for (let start = 0; start < vouched.length; start += CURRENT_CHUNK) {
    const rows = await db.all<{ sku: string }>(
      stillCurrentSql(warehouseId, vouched.slice(start, start + CURRENT_CHUNK))
    )
    for (const row of rows) current.add(row.sku)
  }
  return current
}

/**
 * Stores Wemalo's figures of some SKUs with their in-flight quantities; the revision moves only
 * when something changed. One statement for any number of SKUs.
 */
export async function storeLevels(
  db: Database,
  warehouse: { id: string; tenantId: string },
  figures: StockFigures[],
  now: string
) {
  if (!figures.length) return
  const excludedSku = sql.raw('figure.sku')
  await db.run(sql`
    insert into stock_levels (warehouse_id, sku, tenant_id, physical, reserved, not_reserved, in_flight, revision, read_at, changed_at)
    select ${warehouse.id}, figure.sku, ${warehouse.tenantId}, figure.physical, figure.reserved, figure.notReserved,
      ${inFlightOf(warehouse.id, excludedSku)}, 1, ${now}, ${now}
    from (select json_extract(value, '$.sku') as sku, json_extract(value, '$.physical') as physical,
            json_extract(value, '$.reserved') as reserved, json_extract(value, '$.notReserved') as notReserved
          from json_each(${JSON.stringify(figures)})) figure
    where true
    on conflict (warehouse_id, sku) do update set
      revision = stock_levels.revision + (stock_levels.physical is not excluded.physical
        or stock_levels.reserved is not excluded.reserved or stock_levels.not_reserved is not excluded.not_reserved
        or stock_levels.in_flight is not excluded.in_flight),
      changed_at = case when stock_levels.physical is not excluded.physical
        or stock_levels.reserved is not excluded.reserved or stock_levels.not_reserved is not excluded.not_reserved
        or stock_levels.in_flight is not excluded.in_flight then excluded.changed_at else stock_levels.changed_at end,
      physical = excluded.physical, reserved = excluded.reserved, not_reserved = excluded.not_reserved,
      in_flight = excluded.in_flight, read_at = excluded.read_at`)
}

export type PendingStock = {
  sku: string
  notReserved: number
  inFlight: number
  revision: number
  lastQuantity: number | null
}

/** SKUs whose figure moved past what the channel last got, in SKU order after `after`. */
export async function pendingForChannel(
  db: Database,
  warehouseId: string,
  channelId: string,
  after: string,
  limit: number
): Promise<PendingStock[]> {
  return db.all<PendingStock>(sql`
    select l.sku as sku, l.not_reserved as notReserved, l.in_flight as inFlight, l.revision as revision,
      w.quantity as lastQuantity
    from stock_levels l left join stock_writes w on w.channel_id = ${channelId} and w.sku = l.sku
    where l.warehouse_id = ${warehouseId} and l.sku > ${after} and (w.revision is null or w.revision < l.revision)
    order by l.sku limit ${limit}`)
}

export type WriteRecord = {
  sku: string
  revision: number
  quantity: number | null
  /** Null when the quantity reached the channel (or equalled what it had); else why not. */
  skippedReason: string | null
  /** Whether a call carried it (false: equal to the last written, nothing sent). */
  sent: boolean
}

/**
 * Records what a channel got. A record never goes back to an older revision (compare-and-set),
 * so a slow push cannot overwrite a newer one; a skipped SKU keeps its last written quantity.
 */
export async function recordWrites(
  db: Database,
  channel: { id: string; tenantId: string },
  warehouseId: string,
  records: WriteRecord[],
  now: string
) {
  if (!records.length) return
  await db.run(sql`
    insert into stock_writes (channel_id, sku, tenant_id, warehouse_id, quantity, revision, written_at, skipped_reason)
    select ${channel.id}, json_extract(value, '$.sku'), ${channel.tenantId}, ${warehouseId},
      case when json_extract(value, '$.skippedReason') is null then json_extract(value, '$.quantity') end,
      json_extract(value, '$.revision'),
      case when json_extract(value, '$.sent') then ${now} end,
      json_extract(value, '$.skippedReason')
    from json_each(${JSON.stringify(records)}) where true
    on conflict (channel_id, sku) do update set
      quantity = case when excluded.skipped_reason is null then excluded.quantity else stock_writes.quantity end,
      written_at = coalesce(excluded.written_at, stock_writes.written_at),
      skipped_reason = excluded.skipped_reason,
      revision = excluded.revision
    where stock_writes.revision < excluded.revision`)
}

/** ST5 reconciliation: the channel's own figures as read now. */
export async function recordChannelFigures(
  db: Database,
  channelId: string,
  figures: { sku: string; quantity: number | null }[],
  now: string
) {
  if (!figures.length) return
  await db.run(sql`
    update stock_writes set
      channel_quantity = (select json_extract(value, '$.quantity') from json_each(${JSON.stringify(figures)})
        where json_extract(value, '$.sku') = stock_writes.sku),
      reconciled_at = ${now}
    where channel_id = ${channelId} and sku in (select json_extract(value, '$.sku') from json_each(${JSON.stringify(figures)}))`)
}

/** SKUs Kontor writes to a channel, in SKU order after `after` (reconciliation pages). */
export async function writtenSkus(db: Database, channelId: string, after: string, limit: number) {
  return db.all<{ sku: string }>(sql`
    select sku from stock_writes where channel_id = ${channelId} and sku > ${after} and quantity is not null
    order by sku limit ${limit}`)
}
