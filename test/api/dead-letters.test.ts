import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, api, apiJson, createTenant } from '../helpers'

async function deadLetter(tenantId: string, createdAt: string) {
  const id = `dl_${crypto.randomUUID()}`
  await env.DB.prepare(
    'insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, ?, ?, ?, ?, ?)'
  )
    .bind(id, tenantId, 'sync', JSON.stringify({ type: 'write-back', eventId: `missing-${id}` }), 'boom', 5, createdAt)
    .run()
  return id
}

const replayedAt = async (id: string) =>
  (await env.DB.prepare('select replayed_at from dead_letters where id = ?')
    .bind(id)
    .first<{ replayed_at: string | null }>())!.replayed_at

describe('dead letters are scoped by the operator’s X-Tenant-Id', () => {
  it('the operator with X-Tenant-Id lists only that tenant’s dead letters; without it, every tenant’s', async () => {
    const [a, b] = [await createTenant(), await createTenant()]
    const ofA = await deadLetter(a.id, '2030-01-01T00:00:00.000Z')
    const ofB = await deadLetter(b.id, '2030-01-01T00:00:00.000Z')
    const scoped = await apiJson('/api/v1/dead-letters?limit=200', {
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': a.id },
    })
    const ids = scoped.items.map((item: { id: string }) => item.id)
    expect(ids).toContain(ofA)
    expect(ids).not.toContain(ofB)

    const all: string[] = []
    let cursor: string | null = null
    do {
      const page: any = await apiJson(`/api/v1/dead-letters?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
        token: ADMIN_TOKEN,
      })
      all.push(...page.items.map((item: { id: string }) => item.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(all).toEqual(expect.arrayContaining([ofA, ofB]))
  })

  it('the operator cannot replay another tenant’s dead letter under X-Tenant-Id', async () => {
    const [a, b] = [await createTenant(), await createTenant()]
    const ofB = await deadLetter(b.id, '2030-01-01T00:00:00.000Z')
    const response = await api(`/api/v1/dead-letters/${ofB}/replay`, {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': a.id },
    })
    expect(response.status).toBe(404)
    expect(await replayedAt(ofB)).toBeNull()
  })

  it('replay-since under X-Tenant-Id replays that tenant’s dead letters only', async () => {
    const [a, b] = [await createTenant(), await createTenant()]
    const since = '2031-06-01T00:00:00.000Z'
    const ofA = await deadLetter(a.id, '2031-06-02T00:00:00.000Z')
    const ofB = await deadLetter(b.id, '2031-06-02T00:00:00.000Z')
    const result = await apiJson('/api/v1/dead-letters/replay', {
      body: { since },
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': a.id },
    })
    expect(result).toEqual({ replayed: 1 })
    expect(await replayedAt(ofA)).not.toBeNull()
    expect(await replayedAt(ofB)).toBeNull()
  })
})

/**
 * One tenant with a source shop, a warehouse, an order handed over to it, a hub endpoint, and a
 * dead letter of each kind of work that concerns them (issue 19, finding 4).
 */
async function seedLettersInContext() {
  const tenant = await createTenant()
  const suffix = crypto.randomUUID().slice(0, 8)
  const id = (prefix: string) => `${prefix}_${suffix}`
  const at = '2030-02-01T00:00:00.000Z'
  const run = (sql: string, ...values: unknown[]) =>
    env.DB.prepare(sql)
      .bind(...values)
      .run()
  for (const [connection, platform, name] of [
    [id('con_shop'), 'shopify', 'Acme Shopify'],
    [id('con_wh'), 'wemalo', 'Acme Wemalo'],
  ])
    await run(
      `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
       values (?, ?, ?, ?, 'not-a-secret', '{}', '[]', ?, ?)`,
      connection,
      tenant.id,
      platform,
      name,
      at,
      at
    )
  await run(
    `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
       status, total, content_hash, imported_at, changed_at)
     values (?, ?, ?, 'shopify', ?, '#1001', ?, ?, 'EUR', 'new', '10.00', 'hash', ?, ?)`,
    id('ord'),
    tenant.id,
    id('con_shop'),
    suffix,
    at,
    at,
    at,
    at
  )
  await run(
    `insert into order_events (id, tenant_id, order_id, type, at, source) values (?, ?, ?, 'shipped', ?, 'api')`,
    id('evt'),
    tenant.id,
    id('ord'),
    at
  )
  await run(
    `insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at)
     values (?, ?, ?, ?, 'failed', ?, ?)`,
    id('hov'),
    tenant.id,
    id('ord'),
    id('con_wh'),
    at,
    at
  )
  await run(
    `insert into inbox (id, connection_id, delivery_key, topic, body, received_at) values (?, ?, ?, 'orders/create', '{', ?)`,
    id('inb'),
    id('con_shop'),
    id('delivery'),
    at
  )
  await run(
    `insert into webhook_endpoints (id, tenant_id, url, events, secret, created_at) values (?, ?, 'https://erp.example/hooks', '["*"]', 'x', ?)`,
    id('whe'),
    tenant.id,
    at
  )
  await run(
    `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_key, type, order_id, state, created_at, updated_at)
     values (?, ?, ?, ?, 'order.shipped', ?, 'failed', ?, ?)`,
    id('whd'),
    tenant.id,
    id('whe'),
    id('evt'),
    id('ord'),
    at,
    at
  )
  const letter = async (queue: string, body: unknown, error: string) => {
    const letterId = id(`dl_${(body as { type: string }).type}`)
    await run(
      'insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, ?, ?, ?, 6, ?)',
      letterId,
      tenant.id,
      queue,
      JSON.stringify(body),
      error,
      at
    )
    return letterId
  }
  const letters = {
    writeBack: await letter('sync', { type: 'write-back', eventId: id('evt') }, 'RetryableError: Shopify answered 503'),
    handover: await letter(
      'dispatch',
      { type: 'handover', handoverId: id('hov') },
      'FinalError: Wemalo refused the goods order: SKU unknown'
    ),
    import: await letter(
      'ingest',
      { type: 'webhook', inboxId: id('inb') },
      'SyntaxError: Expected double-quoted property name in JSON at position 1 (line 1 column 2)'
    ),
    hub: await letter(
      'dispatch',
      { type: 'hub-delivery', deliveryId: id('whd') },
      'RetryableError: endpoint answered 500'
    ),
    stock: await letter(
      'dispatch',
      { type: 'stock-push', warehouseId: id('con_wh'), jobId: null },
      'RetryableError: Shopify answered 503'
    ),
  }
  return { tenant, id, letters }
}

/** The dead letters a replay sent, as its audit trail records them (a replayed one may fail again). */
async function replayedIds(ids: string[]) {
  const { results } = await env.DB.prepare(
    `select target_id from audit_log where action = 'dead_letter.replayed' and target_id in (select value from json_each(?))`
  )
    .bind(JSON.stringify(ids))
    .all<{ target_id: string }>()
  return results.map((row) => row.target_id).sort()
}

describe('dead letters say what they are about and replay by connection, step or error (issue 19)', () => {
  it('each letter names its step, its order, its connection and its error in words', async () => {
    const { tenant, id, letters } = await seedLettersInContext()
    const { items } = await apiJson('/api/v1/dead-letters?limit=200', { token: tenant.token })
    const byId = new Map(items.map((item: any) => [item.id, item]))
    expect(byId.get(letters.writeBack)).toMatchObject({
      step: 'write-back',
      stepLabel: 'write-back',
      orderId: id('ord'),
      orderNumber: '#1001',
      connectionId: id('con_shop'),
      connectionName: 'Acme Shopify',
      errorClass: 'RetryableError',
      reason: 'Shopify answered 503',
    })
    expect(byId.get(letters.handover)).toMatchObject({
      step: 'handover',
      orderNumber: '#1001',
      connectionName: 'Acme Wemalo',
      errorClass: 'FinalError',
      reason: 'Wemalo refused the goods order: SKU unknown',
    })
    expect(byId.get(letters.import)).toMatchObject({
      step: 'import',
      stepLabel: 'import of a webhook delivery',
      orderId: null,
      connectionName: 'Acme Shopify',
      deliveryKey: id('delivery'),
      errorClass: 'SyntaxError',
    })
    expect(byId.get(letters.hub)).toMatchObject({
      step: 'hub-delivery',
      orderNumber: '#1001',
      connectionId: id('whe'),
      connectionName: 'https://erp.example/hooks',
    })
    expect(byId.get(letters.stock)).toMatchObject({ step: 'stock-write', connectionName: 'Acme Wemalo', orderId: null })

    const filtered = await apiJson(`/api/v1/dead-letters?connectionId=${id('con_wh')}`, { token: tenant.token })
    expect(filtered.items.map((item: any) => item.id).sort()).toEqual([letters.handover, letters.stock].sort())
  })

  it('replays by connection exactly the letters about that connection (a write-back is its order’s source’s)', async () => {
    const { tenant, id, letters } = await seedLettersInContext()
    const result = await apiJson('/api/v1/dead-letters/replay', {
      body: { connectionId: id('con_shop') },
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': tenant.id },
    })
    expect(result).toEqual({ replayed: 2 })
    expect(await replayedIds(Object.values(letters))).toEqual([letters.import, letters.writeBack].sort())
  })

  it('replays by step exactly that step’s letters', async () => {
    const { tenant, letters } = await seedLettersInContext()
    const result = await apiJson('/api/v1/dead-letters/replay', {
      body: { step: 'handover' },
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': tenant.id },
    })
    expect(result).toEqual({ replayed: 1 })
    expect(await replayedIds(Object.values(letters))).toEqual([letters.handover])
  })

  it('replays by error text, and by error class, exactly the letters with that error', async () => {
    const first = await seedLettersInContext()
    expect(
      await apiJson('/api/v1/dead-letters/replay', {
        body: { error: 'RetryableError: Shopify answered 503' },
        token: ADMIN_TOKEN,
        headers: { 'x-tenant-id': first.tenant.id },
      })
    ).toEqual({ replayed: 2 })
    expect(await replayedIds(Object.values(first.letters))).toEqual(
      [first.letters.stock, first.letters.writeBack].sort()
    )

    const second = await seedLettersInContext()
    expect(
      await apiJson('/api/v1/dead-letters/replay', {
        body: { errorClass: 'RetryableError', step: 'hub-delivery' },
        token: ADMIN_TOKEN,
        headers: { 'x-tenant-id': second.tenant.id },
      })
    ).toEqual({ replayed: 1 })
    expect(await replayedIds(Object.values(second.letters))).toEqual([second.letters.hub])
  })

  it('an unknown filter, an unknown step or no filter at all is a 400 and replays nothing', async () => {
    const { tenant, letters } = await seedLettersInContext()
    for (const body of [{ queue: 'sync' }, { step: 'teleport' }, { errorClass: 'not a class' }, {}]) {
      const response = await api('/api/v1/dead-letters/replay', {
        body,
        token: ADMIN_TOKEN,
        headers: { 'x-tenant-id': tenant.id },
      })
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect((await response.json<any>()).error.code).toBe('invalid_request')
    }
    expect((await api('/api/v1/dead-letters?orderNumber=1001', { token: tenant.token })).status).toBe(400)
    expect(await replayedIds(Object.values(letters))).toEqual([])
  })
})
