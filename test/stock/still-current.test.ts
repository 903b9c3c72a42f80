/**
 * ST1: a run asks which of the SKUs Wemalo lists as changed were read since (skusStillCurrent).
 * A run with nothing to read did this for minutes at 10,000 SKUs (the stock bench's unchanged
 * run: 235.6 s for 31 statements): D1 keeps no ANALYZE statistics, so SQLite walked every stock
 * level of the warehouse and scanned the listed JSON for each. The listed SKUs must be the outer
 * loop, each looked up by the primary key.
 */
import { env } from 'cloudflare:workers'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import { skusStillCurrent, stillCurrentSql } from '../../src/stock/levels'
import { uniqueName } from '../helpers'

const LEVELS = 5000
const sku = (index: number) => `SKU-${String(index).padStart(6, '0')}`

/** LEVELS stock levels of a new warehouse, read at `readAt`. */
async function warehouseWithLevels(readAt: string) {
  const warehouseId = uniqueName('wh')
  const skus = Array.from({ length: LEVELS }, (_, index) => sku(index))
  await env.DB.prepare(
    `insert into stock_levels (warehouse_id, sku, tenant_id, physical, reserved, not_reserved, in_flight, revision, read_at, changed_at)
     select ?1, value, 'ten_still_current', 1, 0, 1, 0, 1, ?2, ?2 from json_each(?3)`
  )
    .bind(warehouseId, readAt, JSON.stringify(skus))
    .run()
  return warehouseId
}

describe('SKUs still current (ST1)', () => {
  it('walks the listed SKUs and looks each up by key, not every stock level of the warehouse', async () => {
    const warehouseId = await warehouseWithLevels('2026-12-02T08:00:00.000Z')
    const listed = Array.from({ length: 1000 }, (_, index) => ({
      sku: sku(index),
      unchangedSince: '2026-12-02T06:00:00.000Z',
    }))
    const plan = await database(env.DB).all<{ id: number; parent: number; detail: string }>(
      sql`explain query plan ${stillCurrentSql(warehouseId, listed)}`
    )
    const details = plan.map((row) => row.detail)
    // The first loop is over the listed JSON; stock_levels is searched inside it by (warehouse_id, sku).
    expect(details[0], details.join(' | ')).toMatch(/listed/)
    expect(
      details.find((detail) => /\bl\b/.test(detail)),
      details.join(' | ')
    ).toMatch(/SEARCH l USING .*\(warehouse_id=\? AND sku=\?\)/)
  })

  it('a run of 5,000 listed SKUs against 5,000 stock levels answers which of them are still current', async () => {
    const warehouseId = await warehouseWithLevels('2026-12-02T08:00:00.000Z')
    const changed = Array.from({ length: LEVELS + 10 }, (_, index) => ({
      sku: sku(index),
      // Read at 08:00: still current when vouched for since 07:00, not when changed at 09:00;
      // the last ten are not stored at all.
      unchangedSince: index % 3 === 0 ? '2026-12-02T09:00:00.000Z' : '2026-12-02T07:00:00.000Z',
    }))
    const current = await skusStillCurrent(database(env.DB), warehouseId, changed)
    const expected = changed.filter((entry, index) => index < LEVELS && index % 3 !== 0).map((entry) => entry.sku)
    expect([...current].sort()).toEqual(expected)
  }, 120_000)
})
