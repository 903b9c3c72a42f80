/**
 * The connections' health (src/read-models/connection-health.ts) read from real D1: what counts
 * as a failure of the last 24 hours in each of the three places failures are written.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import { connectionHealth } from '../../src/read-models/connection-health'
import { createTenant, uniqueName } from '../helpers'

async function run(sql: string, ...values: unknown[]) {
  await env.DB.prepare(sql)
    .bind(...values)
    .run()
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString()

async function seedConnection(tenantId: string, platform: string) {
  const id = uniqueName('con')
  await run(
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
     values (?, ?, ?, ?, 'not-a-real-secret', '{}', '[]', ?, ?)`,
    id,
    tenantId,
    platform,
    `${platform} ${id}`,
    hoursAgo(48),
    hoursAgo(48)
  )
  return id
}

async function importLogLine(tenantId: string, connectionId: string, result: string, at: string) {
  await run(
    `insert into import_log (id, tenant_id, connection_id, kind, external_id, result, at) values (?, ?, ?, 'order', '1', ?, ?)`,
    uniqueName('log'),
    tenantId,
    connectionId,
    result,
    at
  )
}

async function outboundCall(tenantId: string, connectionId: string, result: string, at: string) {
  await run(
    `insert into outbound_calls (id, tenant_id, connection_id, order_id, action, result, detail, at)
     values (?, ?, ?, ?, 'handover', ?, 'seeded', ?)`,
    uniqueName('call'),
    tenantId,
    connectionId,
    uniqueName('ord'),
    result,
    at
  )
}

async function syncJob(tenantId: string, connectionId: string, status: string, startedAt: string) {
  await run(
    `insert into sync_jobs (id, tenant_id, connection_id, mode, status, pages, records, started_at) values (?, ?, ?, 'backfill', ?, 0, 0, ?)`,
    uniqueName('job'),
    tenantId,
    connectionId,
    status,
    startedAt
  )
}

describe('connection health', () => {
  it('failures in 24 h: failed import-log lines, outbound calls and sync runs of the last day, per connection', async () => {
    const tenant = await createTenant('EUR')
    const other = await createTenant('EUR')
    const shop = await seedConnection(tenant.id, 'shopify')
    const warehouse = await seedConnection(tenant.id, 'wemalo')
    const foreign = await seedConnection(other.id, 'shopify')

    // Counted: one of each kind for the shop, two failed calls for the warehouse.
    await importLogLine(tenant.id, shop, 'failed', hoursAgo(1))
    await syncJob(tenant.id, shop, 'failed', hoursAgo(2))
    await outboundCall(tenant.id, shop, 'failed', hoursAgo(3))
    await outboundCall(tenant.id, warehouse, 'failed', hoursAgo(1))
    await outboundCall(tenant.id, warehouse, 'failed', hoursAgo(23))
    // Not counted: older than a day, not failed, or another tenant's.
    await importLogLine(tenant.id, shop, 'failed', hoursAgo(25))
    await syncJob(tenant.id, shop, 'failed', hoursAgo(30))
    await outboundCall(tenant.id, warehouse, 'failed', hoursAgo(26))
    await importLogLine(tenant.id, shop, 'created', hoursAgo(1))
    await syncJob(tenant.id, shop, 'done', hoursAgo(1))
    await outboundCall(tenant.id, warehouse, 'done', hoursAgo(1))
    await importLogLine(other.id, foreign, 'failed', hoursAgo(1))

    const health = await connectionHealth(database(env.DB), tenant.id)
    const failuresOf = (id: string) => health.find((connection) => connection.id === id)?.failures24h
    expect(health.map((connection) => connection.id).sort()).toEqual([shop, warehouse].sort())
    expect(failuresOf(shop)).toBe(3)
    expect(failuresOf(warehouse)).toBe(2)
    expect((await connectionHealth(database(env.DB), other.id))[0].failures24h).toBe(1)
  })
})
