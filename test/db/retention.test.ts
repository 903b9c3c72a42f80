/**
 * Retention (issue 10): processed inbox bodies and import-log lines older than the tenant's
 * `retentionDays` (default 30) are pruned by the cron, in bounded batches; what a replay needs stays.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { encryptJson, keyringOf } from '../../src/core/crypto'
import { database } from '../../src/db/client'
import { pruneExpired } from '../../src/retention'
import { ADMIN_TOKEN, apiJson, runCron, uniqueName } from '../helpers'

const DAY = 86_400_000

async function tenantWith(retentionDays?: number) {
  const tenant = await apiJson<{ id: string; retentionDays: number }>('/api/v1/tenants', {
    token: ADMIN_TOKEN,
    body: { name: uniqueName('retention'), currency: 'EUR', ...(retentionDays ? { retentionDays } : {}) },
  })
  const connectionId = uniqueName('con')
  await env.DB.prepare(
    // Deleted, so the cron starts no poll for it; retention still applies to what it left.
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, updated_at, deleted_at)
     values (?, ?, 'shopify', 'c', ?, '{}', '[]', ?, ?)`
  )
    .bind(
      connectionId,
      tenant.id,
      await encryptJson(keyringOf(env), {}),
      new Date().toISOString(),
      new Date().toISOString()
    )
    .run()
  return { ...tenant, connectionId }
}

async function inboxRow(connectionId: string, ageDays: number, state: 'processed' | 'unprocessed' | 'dead') {
  const id = uniqueName('inb')
  const at = new Date(Date.now() - ageDays * DAY).toISOString()
  await env.DB.prepare(
    `insert into inbox (id, connection_id, delivery_key, topic, body, received_at, processed_at, dead_lettered_at)
     values (?, ?, ?, 'orders/create', '{"email":"someone@example.com"}', ?, ?, ?)`
  )
    .bind(id, connectionId, id, at, state === 'processed' ? at : null, state === 'dead' ? at : null)
    .run()
  return id
}

async function logRow(tenantId: string, connectionId: string, ageDays: number) {
  const id = uniqueName('log')
  await env.DB.prepare(
    `insert into import_log (id, tenant_id, connection_id, kind, external_id, result, at)
     values (?, ?, ?, 'order', '1', 'created', ?)`
  )
    .bind(id, tenantId, connectionId, new Date(Date.now() - ageDays * DAY).toISOString())
    .run()
  return id
}

async function body(id: string) {
  return (await env.DB.prepare('select body from inbox where id = ?').bind(id).first<{ body: string }>())?.body
}

async function logExists(id: string) {
  return Boolean(await env.DB.prepare('select id from import_log where id = ?').bind(id).first())
}

describe('retention', () => {
  it('a tenant is created with retentionDays (default 30)', async () => {
    expect((await tenantWith()).retentionDays).toBe(30)
    expect((await tenantWith(7)).retentionDays).toBe(7)
  })

  it('the cron empties old processed bodies and deletes old log lines per tenant; replayable bodies stay', async () => {
    const short = await tenantWith(7)
    const long = await tenantWith()
    const rows = {
      oldProcessed: await inboxRow(short.connectionId, 10, 'processed'),
      newProcessed: await inboxRow(short.connectionId, 2, 'processed'),
      oldUnprocessed: await inboxRow(short.connectionId, 10, 'unprocessed'),
      oldDeadLettered: await inboxRow(short.connectionId, 10, 'dead'),
      otherTenantOld: await inboxRow(long.connectionId, 10, 'processed'),
      otherTenantExpired: await inboxRow(long.connectionId, 40, 'processed'),
    }
    const logs = {
      old: await logRow(short.id, short.connectionId, 10),
      recent: await logRow(short.id, short.connectionId, 2),
      otherTenantOld: await logRow(long.id, long.connectionId, 10),
      otherTenantExpired: await logRow(long.id, long.connectionId, 40),
    }

    await runCron()

    expect(await body(rows.oldProcessed)).toBe('')
    expect(await body(rows.newProcessed)).not.toBe('')
    expect(await body(rows.oldUnprocessed)).not.toBe('')
    expect(await body(rows.oldDeadLettered)).not.toBe('')
    expect(await body(rows.otherTenantOld)).not.toBe('')
    expect(await body(rows.otherTenantExpired)).toBe('')
    // The row stays: its delivery key still recognises a late redelivery.
    expect(await env.DB.prepare('select id from inbox where id = ?').bind(rows.oldProcessed).first()).not.toBeNull()

    expect(await logExists(logs.old)).toBe(false)
    expect(await logExists(logs.recent)).toBe(true)
    expect(await logExists(logs.otherTenantOld)).toBe(true)
    expect(await logExists(logs.otherTenantExpired)).toBe(false)
  })

  it('prunes in bounded batches', async () => {
    const tenant = await tenantWith(1)
    for (let i = 0; i < 5; i++) {
      await inboxRow(tenant.connectionId, 3, 'processed')
      await logRow(tenant.id, tenant.connectionId, 3)
    }
    const db = database(env.DB)
    const first = await pruneExpired(db, new Date(), 3)
    expect(first).toMatchObject({ inboxBodies: 3, importLogRows: 3 })
    const second = await pruneExpired(db, new Date(), 3)
    expect(second.inboxBodies).toBeGreaterThanOrEqual(2)
    expect(second.importLogRows).toBeGreaterThanOrEqual(2)
    expect(await pruneExpired(db, new Date(), 3)).toMatchObject({ inboxBodies: 0, importLogRows: 0 })
  })
})
