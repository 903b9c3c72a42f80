/** Issue 19, finding 8: the import log's filters all work (or answer 400), and the orders API searches. */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createTenant, uniqueName } from '../helpers'

const NOW = '2026-11-20T09:00:00.000Z'

async function run(sql: string, ...values: unknown[]) {
  await env.DB.prepare(sql)
    .bind(...values)
    .run()
}

async function seed() {
  const tenant = await createTenant('EUR')
  const connectionId = uniqueName('con')
  await run(
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
     values (?, ?, 'shopify', 'Shop', 'not-a-real-secret', '{}', '[]', ?, ?)`,
    connectionId,
    tenant.id,
    NOW,
    NOW
  )
  const orders = [
    { id: uniqueName('ord'), externalId: '5551001', number: '#1001', customer: ['Anna', 'Müller'] },
    { id: uniqueName('ord'), externalId: '5551002', number: '#1002', customer: ['Bernd', 'Schmidt'] },
  ]
  for (const order of orders) {
    const customerId = uniqueName('cus')
    await run(
      `insert into customers (id, tenant_id, first_name, last_name, updated_at) values (?, ?, ?, ?, ?)`,
      customerId,
      tenant.id,
      order.customer[0],
      order.customer[1],
      NOW
    )
    await run(
      `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
         status, total, customer_id, tracking, lines, content_hash, imported_at, changed_at)
       values (?, ?, ?, 'shopify', ?, ?, ?, ?, 'EUR', 'new', '10.00', ?, '[]', '[]', 'hash', ?, ?)`,
      order.id,
      tenant.id,
      connectionId,
      order.externalId,
      order.number,
      NOW,
      NOW,
      customerId,
      NOW,
      NOW
    )
    await run(
      `insert into import_log (id, tenant_id, connection_id, kind, external_id, result, at) values (?, ?, ?, 'order', ?, 'created', ?)`,
      uniqueName('log'),
      tenant.id,
      connectionId,
      order.externalId,
      NOW
    )
  }
  return { tenant, connectionId, orders }
}

describe('issue 19 finding 8: search and links', () => {
  it('GET /import-log filters by externalId and links each line to its order', async () => {
    const { tenant, orders } = await seed()
    const log = await apiJson(`/api/v1/import-log?externalId=5551002`, { token: tenant.token })
    expect(log.items).toHaveLength(1)
    expect(log.items[0]).toMatchObject({ externalId: '5551002', orderId: orders[1].id })
  })

  it('GET /import-log answers 400 for a query parameter it does not know', async () => {
    const { tenant } = await seed()
    const response = await api(`/api/v1/import-log?externalID=5551002`, { token: tenant.token })
    expect(response.status).toBe(400)
    expect((await response.json<any>()).error.code).toBe('invalid_request')
  })

  it('GET /orders?q= finds orders by number, platform id and customer name, as the dashboard does', async () => {
    const { tenant, orders } = await seed()
    const ids = async (q: string) =>
      (await apiJson(`/api/v1/orders?q=${encodeURIComponent(q)}`, { token: tenant.token })).items.map(
        (order: { id: string }) => order.id
      )
    expect(await ids('#1001')).toEqual([orders[0].id])
    expect(await ids('5551002')).toEqual([orders[1].id])
    expect(await ids('müller')).toEqual([orders[0].id])
    expect(await ids('Bernd Schm')).toEqual([orders[1].id])
    expect(await ids('100%')).toEqual([])
  })
})
