/**
 * Tenants for the operator (issue 18) in workerd: listed in pages, read and changed (the currency
 * only while there are no orders); suspended at once (tokens 401, webhooks 410, cron and queued
 * work stop), restored with the parked work sent again; and, after the grace period, erased by
 * the cron until nothing of the tenant is left in any table while another tenant stays whole.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ERASED_BY_CONNECTION, ERASED_BY_TENANT, ERASED_LAST } from '../../src/tenants/erase'
import { ADMIN_TOKEN, api, apiJson, createTenant, runCron, simulatorCall, uniqueName, waitFor } from '../helpers'
import { deliverWebhook, orderJson, shopifySetup } from './shopify-support'

const operator = { token: ADMIN_TOKEN }

/** A Shopify tenant with an order, a hub endpoint with a delivery, a dead letter and audit rows. */
async function populatedTenant() {
  const setup = await shopifySetup()
  const { tenant, connection, shop } = setup
  const host = `${uniqueName('hub')}.hooks.test`
  const endpoint = await apiJson('/api/v1/webhook-endpoints', {
    token: tenant.token,
    body: { url: `https://${host}/kontor`, events: ['*'] },
  })
  expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: Date.now() }))).status).toBe(202)
  const order = await waitFor(
    async () => (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0],
    { what: 'order' }
  )
  await waitFor(async () => (await simulatorCall(host, '/_sim/received')).length > 0, { what: 'a hub delivery' })
  return { ...setup, endpoint, order, host }
}

async function tablesWithColumn(column: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `select m.name from sqlite_master m join pragma_table_info(m.name) p
     where m.type = 'table' and m.name not like '\\_%' escape '\\' and m.name not like 'sqlite%' and p.name = ?`
  )
    .bind(column)
    .all<{ name: string }>()
  return results.map((row) => row.name)
}

/** Every row of every table that mentions one of `needles`, as "table: row". */
async function rowsMentioning(needles: string[]): Promise<string[]> {
  const { results: tables } = await env.DB.prepare(
    `select name from sqlite_master where type = 'table' and name not like 'sqlite%' and name not like '\\_%' escape '\\' and name <> 'd1_migrations'`
  ).all<{ name: string }>()
  const found: string[] = []
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`select * from "${name}"`).all()
    for (const row of results) {
      const text = JSON.stringify(row)
      if (needles.some((needle) => text.includes(needle))) found.push(`${name}: ${text.slice(0, 200)}`)
    }
  }
  return found
}

describe('tenants (operator)', () => {
  it('lists tenants in pages, reads and changes one; the currency only while it has no orders', async () => {
    const made = [await createTenant('EUR'), await createTenant('EUR'), await createTenant('EUR')]
    const first = await apiJson('/api/v1/tenants?limit=2', operator)
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).toBeTruthy()
    const second = await apiJson(`/api/v1/tenants?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, operator)
    const ids = [...first.items, ...second.items].map((tenant: any) => tenant.id)
    expect(ids.slice(0, 3)).toEqual(made.map((tenant) => tenant.id).reverse())
    expect(JSON.stringify(first)).not.toContain(made[2].token)

    const changed = await apiJson(`/api/v1/tenants/${made[0].id}`, {
      ...operator,
      method: 'PATCH',
      body: { name: 'Renamed GmbH', retentionDays: 90, currency: 'CHF' },
    })
    expect(changed).toMatchObject({ name: 'Renamed GmbH', retentionDays: 90, currency: 'CHF', suspendedAt: null })
    expect(await apiJson(`/api/v1/tenants/${made[0].id}`, operator)).toMatchObject({ currency: 'CHF' })

    const { tenant } = await populatedTenant()
    const refused = await api(`/api/v1/tenants/${tenant.id}`, {
      ...operator,
      method: 'PATCH',
      body: { currency: 'EUR' },
    })
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as any).error.code).toBe('tenant_has_orders')
    expect((await apiJson(`/api/v1/tenants/${tenant.id}`, operator)).currency).toBe('USD')

    // Tenant tokens never reach these routes; the operator acting for a tenant sees that one only.
    expect((await api('/api/v1/tenants', { token: made[1].token })).status).toBe(403)
    expect((await api(`/api/v1/tenants/${made[1].id}`, { token: made[1].token })).status).toBe(403)
    const actingFor = await apiJson('/api/v1/tenants', { ...operator, headers: { 'x-tenant-id': made[1].id } })
    expect(actingFor.items.map((row: any) => row.id)).toEqual([made[1].id])
    const other = await api(`/api/v1/tenants/${made[2].id}`, { ...operator, headers: { 'x-tenant-id': made[1].id } })
    expect(other.status).toBe(404)
  })

  it('suspends at once (tokens 401, webhooks 410, cron and queued work stop) and restores', async () => {
    const { tenant, connection, shop, endpoint } = await populatedTenant()
    const suspended = await apiJson(`/api/v1/tenants/${tenant.id}`, { ...operator, method: 'DELETE' })
    expect(suspended.suspendedAt).toBeTruthy()
    const graceDays = (Date.parse(suspended.eraseAfter) - Date.parse(suspended.suspendedAt)) / 86_400_000
    expect(graceDays).toBe(7)

    const refused = await api('/api/v1/orders', { token: tenant.token })
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as any).error.message).toContain('suspended')
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 7_700_001 }))).status).toBe(410)

    // The cron starts no poll for it.
    const jobs = async () =>
      (await env.DB.prepare('select count(*) as n from sync_jobs where connection_id = ?').bind(connection.id).first())!
        .n as number
    const before = await jobs()
    await runCron(new Date(Date.now() + 60 * 60_000))
    expect(await jobs()).toBe(before)

    // A message queued anyway is parked, not run.
    const [delivery] = (
      await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, {
        ...operator,
        headers: { 'x-tenant-id': tenant.id },
      })
    ).items
    await env.DB.prepare(`update webhook_deliveries set state = 'pending' where id = ?`).bind(delivery.id).run()
    await env.DISPATCH.send({ type: 'hub-delivery', deliveryId: delivery.id })
    const parked = await waitFor(
      async () =>
        env.DB.prepare('select id, error, replayed_at from dead_letters where tenant_id = ?').bind(tenant.id).first(),
      { what: 'a parked message' }
    )
    expect(parked).toMatchObject({ error: 'parked: the tenant is suspended', replayed_at: null })

    const restored = await apiJson(`/api/v1/tenants/${tenant.id}/restore`, { ...operator, method: 'POST' })
    expect(restored).toMatchObject({ suspendedAt: null, eraseAfter: null, replayed: 1 })
    expect((await api('/api/v1/orders', { token: tenant.token })).status).toBe(200)
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 7_700_002 }))).status).toBe(202)
    await waitFor(
      async () =>
        (await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}`, { token: tenant.token }))
          .attempts >= 2,
      { what: 'the parked delivery sent after the restore' }
    )
    const audit = await apiJson('/api/v1/audit-log', { token: tenant.token })
    expect(audit.items.slice(0, 2).map((entry: any) => [entry.action, entry.actor])).toEqual([
      ['tenant.restored', 'operator'],
      ['tenant.suspended', 'operator'],
    ])
    // Restoring twice, or after the grace period, is refused.
    expect((await api(`/api/v1/tenants/${tenant.id}/restore`, { ...operator, method: 'POST' })).status).toBe(409)
  })

  it('erases every row of a suspended tenant after the grace period, in bounded batches, and leaves another whole', async () => {
    const gone = await populatedTenant()
    const kept = await populatedTenant()
    const keptIds = [kept.tenant.id, kept.connection.id, kept.order.id, kept.endpoint.id]
    // Rows per table (the cron's polls may add some of its own meanwhile, never remove any).
    const keptRows = async () => {
      const counts: Record<string, number> = {}
      for (const row of await rowsMentioning(keptIds)) {
        const table = row.slice(0, row.indexOf(':'))
        counts[table] = (counts[table] ?? 0) + 1
      }
      return counts
    }
    const keptBefore = await keptRows()
    expect(Object.keys(keptBefore).length).toBeGreaterThan(8)

    // Its webhook is in the delivery log (issue 19), which the eraser must empty too.
    expect((await rowsMentioning([gone.connection.id])).some((row) => row.startsWith('inbound_deliveries:'))).toBe(true)
    await apiJson(`/api/v1/tenants/${gone.tenant.id}`, { ...operator, method: 'DELETE' })
    // Not before the grace period ends.
    await runCron()
    expect((await apiJson(`/api/v1/tenants/${gone.tenant.id}`, operator)).suspendedAt).toBeTruthy()

    await env.DB.prepare('update tenants set erase_after = ? where id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), gone.tenant.id)
      .run()
    const refused = await api(`/api/v1/tenants/${gone.tenant.id}/restore`, { ...operator, method: 'POST' })
    expect(refused.status).toBe(409)
    for (let tick = 0; tick < 20; tick++) {
      await runCron()
      if ((await api(`/api/v1/tenants/${gone.tenant.id}`, operator)).status === 404) break
    }
    expect((await api(`/api/v1/tenants/${gone.tenant.id}`, operator)).status).toBe(404)

    const needles = [gone.tenant.id, gone.connection.id, gone.order.id, gone.endpoint.id]
    const left = await rowsMentioning(needles)
    // Only the operator's own record that it was erased (no tenant, no data).
    expect(left).toHaveLength(1)
    expect(left[0]).toMatch(/^audit_log: .*"tenant_id":null.*"action":"tenant\.erased"/)
    const keptAfter = await keptRows()
    for (const [table, count] of Object.entries(keptBefore))
      expect(keptAfter[table], table).toBeGreaterThanOrEqual(count)
    expect((await api('/api/v1/orders', { token: kept.tenant.token })).status).toBe(200)
  })

  it('the eraser knows every table that holds tenant data', async () => {
    const erased = new Set<string>([...ERASED_BY_TENANT, ...ERASED_BY_CONNECTION, ...ERASED_LAST])
    const byTenant = (await tablesWithColumn('tenant_id')).filter((table) => table !== 'tenants')
    const byConnection = await tablesWithColumn('connection_id')
    expect([...byTenant, ...byConnection].filter((table) => !erased.has(table))).toEqual([])
  })
})
