/**
 * ST1's schedule, from the minute cron: a run of what changed every `stockMinutes` per
 * warehouse, and once a night (from NIGHTLY_HOUR UTC) a full run and the reconciliation of every
 * channel's own figures (ST5). Each is claimed by a compare-and-set on its cursor row, so two
 * crons never start the same run twice.
 */
import { and, isNull, sql } from 'drizzle-orm'
import { findDestinationConnector, findSourceConnector } from '../connectors/registry'
import { PLATFORMS } from '../core/model'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { connections, syncCursors } from '../db/schema'
import type { Bindings } from '../env'
import type { DispatchMessage } from '../queue/messages'

export const NIGHTLY_HOUR = 2

async function claim(db: Database, connectionId: string, kind: string, value: string, dueBefore: string) {
  const claimed = await db
    .insert(syncCursors)
    .values({ connectionId, kind, cursor: value, updatedAt: value })
    .onConflictDoUpdate({
      target: [syncCursors.connectionId, syncCursors.kind],
      set: { cursor: value, updatedAt: value },
      setWhere: sql`${syncCursors.cursor} < ${dueBefore}`,
    })
    .returning({ connectionId: syncCursors.connectionId })
  return claimed.length > 0
}

const STOCK_CHANNEL_PLATFORMS = PLATFORMS.filter((platform) => findSourceConnector(platform)?.stock)

/** Warehouses with at least one live channel that keeps stock routed to them. */
export async function startDueStockRuns(env: Bindings, db: Database, now: Date) {
  const rows = await db
    .select({ id: connections.id, platform: connections.platform, settings: connections.settings })
    .from(connections)
    .where(
      and(
        isNull(connections.deletedAt),
        sql`exists (select 1 from connections channel, json_each(channel.routes) route
          where route.value = ${connections.id} and channel.deleted_at is null
          and channel.platform in (select value from json_each(${JSON.stringify(STOCK_CHANNEL_PLATFORMS)})))`
      )
    )
  for (const row of rows) {
    const master = findDestinationConnector(row.platform)?.stockMaster
    if (!master) continue
    let minutes: number
    try {
      minutes = master.intervalMinutes(findDestinationConnector(row.platform)!.settingsSchema.parse(row.settings))
    } catch {
      logger.warn('connection settings no longer valid; stock run skipped', { connectionId: row.id })
      continue
    }
    const messages: DispatchMessage[] = []
    const today = now.toISOString().slice(0, 10)
    if (now.getUTCHours() >= NIGHTLY_HOUR && (await claim(db, row.id, 'stock-nightly', today, today))) {
      messages.push({ type: 'stock-run', warehouseId: row.id, mode: 'full' })
      messages.push({ type: 'stock-reconcile', warehouseId: row.id })
    } else {
      const dueBefore = new Date(now.getTime() - minutes * 60_000 + 5_000).toISOString()
      if (await claim(db, row.id, 'stock-schedule', now.toISOString(), dueBefore))
        messages.push({ type: 'stock-run', warehouseId: row.id, mode: 'changes' })
    }
    if (messages.length) await env.DISPATCH.sendBatch(messages.map((body) => ({ body })))
  }
}
