/**
 * The orders list shows and filters each order's hand-over and write-back state (issue 19,
 * finding 5): a handed-over order no longer reads only `new`, and a `shipped` order whose
 * write-back keeps failing says so. States are read from `handovers` and the write-backs' claim
 * rows (`write-back:<event id>` in `outbound_calls`), as the consumers leave them.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createTenant } from '../helpers'

const AT = '2030-03-01T00:00:00.000Z'

async function run(sql: string, ...values: unknown[]) {
  await env.DB.prepare(sql)
    .bind(...values)
    .run()
}

/** One tenant, a shop, two warehouses and an order for each state worth telling apart. */
async function seed() {
  const tenant = await createTenant()
  const suffix = crypto.randomUUID().slice(0, 8)
  const id = (name: string) => `${name}_${suffix}`
  await run(
    `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
     values (?, ?, 'shopify', 'Shop', 'not-a-secret', '{}', '[]', ?, ?)`,
    id('shop'),
    tenant.id,
    AT,
    AT
  )
  const order = async (name: string, status = 'new') => {
    await run(
      `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency,
         status, total, content_hash, imported_at, changed_at)
       values (?, ?, ?, 'shopify', ?, ?, ?, ?, 'EUR', ?, '1.00', 'hash', ?, ?)`,
      id(name),
      tenant.id,
      id('shop'),
      id(name),
      name,
      AT,
      AT,
      status,
      AT,
      AT
    )
    return id(name)
  }
  const handover = (orderName: string, destination: string, state: string) =>
    run(
      `insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)`,
      id(`hov_${orderName}_${destination}`),
      tenant.id,
      id(orderName),
      id(destination),
      state,
      AT,
      AT
    )
  /** An event on the order; `call`: its write-back's claim row as [result, attempts], or none yet. */
  const event = async (orderName: string, name: string, source: string, call?: [string, number]) => {
    const eventId = id(`evt_${name}`)
    await run(
      `insert into order_events (id, tenant_id, order_id, type, at, source, sync_queued_at) values (?, ?, ?, 'shipped', ?, ?, ?)`,
      eventId,
      tenant.id,
      id(orderName),
      AT,
      source,
      AT
    )
    if (call)
      await run(
        `insert into outbound_calls (id, tenant_id, connection_id, order_id, step_key, action, result, attempts, at)
         values (?, ?, ?, ?, ?, 'write-back:shipped', ?, ?, ?)`,
        id(`out_${name}`),
        tenant.id,
        id('shop'),
        id(orderName),
        `write-back:${eventId}`,
        call[0],
        call[1],
        AT
      )
  }
  const orders = {
    untouched: await order('untouched'),
    handedOver: await order('handed-over'),
    twoDestinations: await order('two-destinations'),
    writtenBack: await order('written-back', 'shipped'),
    failing: await order('failing', 'shipped'),
    retrying: await order('retrying', 'shipped'),
    queued: await order('queued', 'shipped'),
    platformOnly: await order('platform-only', 'shipped'),
    notTaken: await order('not-taken'),
  }
  await handover('handed-over', 'wemalo', 'sent')
  await handover('two-destinations', 'wemalo', 'confirmed')
  await handover('two-destinations', 'plenigo', 'failed')
  await event('written-back', 'done', 'api', ['done', 1])
  await event('failing', 'failed', 'api', ['failed', 3])
  await event('failing', 'later-done', 'api', ['done', 1])
  await event('retrying', 'retrying', 'api', ['started', 2])
  await event('queued', 'queued', 'api')
  await event('platform-only', 'platform', 'platform')
  await event('not-taken', 'not-taken', 'api', ['not_applicable', 1])
  return { tenant, orders }
}

type Listed = { id: string; handoverState: string; writeBackState: string }

async function list(token: string, query = '') {
  return (await apiJson<{ items: Listed[] }>(`/api/v1/orders?limit=200${query}`, { token })).items
}

describe('the orders list shows each order’s hand-over and write-back state (issue 19)', () => {
  it('reads every state from the hand-overs and the write-backs’ claims', async () => {
    const { tenant, orders } = await seed()
    const states = new Map(
      (await list(tenant.token)).map((item) => [item.id, [item.handoverState, item.writeBackState]])
    )
    expect(Object.fromEntries(Object.entries(orders).map(([name, id]) => [name, states.get(id)]))).toEqual({
      untouched: ['none', 'none'],
      handedOver: ['sent', 'none'],
      // Of two destinations the one that needs the operator: the failed one.
      twoDestinations: ['failed', 'none'],
      writtenBack: ['none', 'done'],
      // One write-back went through, another failed and never did: failing.
      failing: ['none', 'failing'],
      // Claimed again after a failed attempt: still failing, not merely pending.
      retrying: ['none', 'failing'],
      // Queued, not yet run.
      queued: ['none', 'pending'],
      // What the platform itself reported is not written back.
      platformOnly: ['none', 'none'],
      notTaken: ['none', 'none'],
    })
  })

  it('filters by hand-over state and by write-back state, exactly', async () => {
    const { tenant, orders } = await seed()
    const ids = async (query: string) => (await list(tenant.token, query)).map((item) => item.id).sort()
    expect(await ids('&writeBack=failing')).toEqual([orders.failing, orders.retrying].sort())
    expect(await ids('&writeBack=pending')).toEqual([orders.queued])
    expect(await ids('&writeBack=done')).toEqual([orders.writtenBack])
    expect(await ids('&handover=sent')).toEqual([orders.handedOver])
    expect(await ids('&handover=failed')).toEqual([orders.twoDestinations])
    expect(await ids('&handover=none&writeBack=none')).toEqual(
      [orders.untouched, orders.platformOnly, orders.notTaken].sort()
    )
    expect(await ids('&handover=sent&status=shipped')).toEqual([])
  })

  it('an unknown state or an unknown filter is a 400', async () => {
    const { tenant } = await seed()
    for (const query of ['?writeBack=broken', '?handover=lost', '?handoverState=sent']) {
      const response = await api(`/api/v1/orders${query}`, { token: tenant.token })
      expect(response.status, query).toBe(400)
    }
  })
})
