import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { apiJson, simulatorCall, createTenant, listAll, runCron, uniqueName, waitFor, waitForJob } from '../helpers'
import { plentyOrderPayload } from '../simulators/plentymarkets'
import { plentyConnection } from './plenty-support'
import { handleSyncMessage } from '../../src/queue/sync'

const plenty = simulatorCall

async function plentySetup(orders: unknown[], system: Record<string, unknown> = {}) {
  const tenant = await createTenant('EUR')
  return { tenant, ...(await plentyConnection(tenant.token, { orders, system })) }
}

async function orderByExternal(token: string, connectionId: string, externalId: string): Promise<any> {
  return waitFor(
    async () => {
      const summary = (await apiJson(`/api/v1/orders?connectionId=${connectionId}`, { token })).items.find(
        (item: any) => item.externalId === externalId
      )
      return summary ? apiJson(`/api/v1/orders/${summary.id}`, { token }) : null
    },
    { what: `order ${externalId}` }
  )
}

async function event(token: string, orderId: string, body: unknown) {
  return apiJson(`/api/v1/orders/${orderId}/events`, { token, body })
}

const noViolations = async (host: string) => expect((await plenty(host, '/_sim/requests')).violations).toEqual([])

describe('plentymarkets end to end', () => {
  it('PM2, PM3: open orders are polled with one login, handed over and set to 5.1; later plenty changes are not imported', async () => {
    const orders = Array.from({ length: 120 }, (_, index) => plentyOrderPayload({ id: 1000 + index }))
    const { host, tenant, connection } = await plentySetup([...orders, plentyOrderPayload({ id: 2000, statusId: 4 })])
    expect((await waitForJob(connection.backfillJobId!)).status).toBe('done')
    const imported = await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)
    expect(imported).toHaveLength(120)
    const { logins, requests } = await plenty(host, '/_sim/requests')
    expect(logins).toBe(1)
    const searches = requests.filter((request: any) => request.path === '/rest/orders/search')
    expect(searches[0].query).toMatchObject({
      statusId: ['5'],
      'with[]': ['addresses', 'orderItems.variation'],
      plentyId: ['1000'],
      orderId: ['gt:0'],
    })
    expect(searches.map((request: any) => request.query.orderId[0])).toEqual(['gt:0', 'gt:1049', 'gt:1099', 'gt:0'])
    await waitFor(async () => (await plenty(host, '/_sim/orders/1119')).statusId === 5.1, { what: 'status 5.1' })

    await plenty(host, '/_sim/orders', {
      orders: [plentyOrderPayload({ id: 1000, statusId: 5, updatedAt: '2099-01-01T00:00:00+00:00', orderItems: [] })],
    })
    const { jobId } = await apiJson(`/api/v1/connections/${connection.id}/sync`, {
      token: tenant.token,
      body: { mode: 'poll' },
    })
    await waitForJob(jobId)
    const kept = await apiJson(`/api/v1/import-log?connectionId=${connection.id}&result=unchanged`, {
      token: tenant.token,
    })
    expect(kept.items[0]).toMatchObject({ externalId: '1000', rule: 'PM3' })
    await noViolations(host)
  })

  it('PM4, PM6, PM7: address and stock errors, returns and shipping are written back', async () => {
    const { host, tenant, connection } = await plentySetup([
      plentyOrderPayload({ id: 3001 }),
      plentyOrderPayload({ id: 3002 }),
      plentyOrderPayload({ id: 3003 }),
      plentyOrderPayload({ id: 3004 }),
    ])
    await waitForJob(connection.backfillJobId!)
    const [a, b, c, d] = await Promise.all(
      ['3001', '3002', '3003', '3004'].map((id) => orderByExternal(tenant.token, connection.id, id))
    )
    await event(tenant.token, a.id, { type: 'address_error', message: 'Street unknown' })
    await event(tenant.token, b.id, { type: 'stock_error', message: 'Out of SESSEL-BW' })
    await event(tenant.token, c.id, { type: 'returned' })
    await event(tenant.token, d.id, { type: 'shipped', tracking: [{ number: '00340434161094042557', carrier: 'DHL' }] })
    await waitFor(async () => (await plenty(host, '/_sim/orders/3001')).statusId === 6.2, { what: '6.2' })
    await waitFor(async () => (await plenty(host, '/_sim/orders/3002')).statusId === 6.3, { what: '6.3' })
    await waitFor(async () => (await plenty(host, '/_sim/orders/3003')).statusId === 9.01, { what: 'return status' })
    const shipped = await waitFor(
      async () => {
        const order = await plenty(host, '/_sim/orders/3004')
        return order.packages.length && order.comments.length ? order : null
      },
      { what: 'shipping package' }
    )
    expect(shipped.packages[0]).toMatchObject({ packageNumber: '00340434161094042557' })
    expect(shipped.comments[0].text).toContain('DHL')
    expect((await plenty(host, '/_sim/orders/3001')).comments[0].text).toBe('Street unknown')
    await noViolations(host)
  })

  it('PM5: a cancellation is handed over as 8.8; one the warehouse refuses gets cancelRefusedStatus and a note, never 8.8', async () => {
    const { host, tenant, connection } = await plentySetup(
      [plentyOrderPayload({ id: 4001 }), plentyOrderPayload({ id: 4002 })],
      {}
    )
    await waitForJob(connection.backfillJobId!)
    const busy = await orderByExternal(tenant.token, connection.id, '4002')
    await event(tenant.token, busy.id, { type: 'processing' })
    await waitFor(
      async () =>
        (await env.DB.prepare('select count(*) as n from outbound_calls where order_id = ?')
          .bind(busy.id)
          .first<{ n: number }>())!.n,
      { what: 'processing sync' }
    )

    const later = '2099-01-01T00:00:00+00:00'
    await plenty(host, '/_sim/orders', {
      orders: [
        plentyOrderPayload({ id: 4001, statusId: 8, updatedAt: later }),
        plentyOrderPayload({ id: 4002, statusId: 8, updatedAt: later }),
      ],
    })
    await runCron(new Date(Date.now() + 10 * 60_000))
    await waitFor(async () => (await plenty(host, '/_sim/orders/4001')).statusId === 8.8, { what: '8.8' })
    const refused = await waitFor(
      async () => {
        const order = await plenty(host, '/_sim/orders/4002')
        return order.comments.length ? order : null
      },
      { what: 'refusal note' }
    )
    expect(refused.statusId).toBe(5.1)
    expect(refused.comments[0].text).toContain('Cancellation refused')
    expect((await orderByExternal(tenant.token, connection.id, '4001')).status).toBe('cancelled')
    const stillBusy = await orderByExternal(tenant.token, connection.id, '4002')
    expect(stillBusy.status).toBe('processing')
    expect(stillBusy.events.filter((entry: any) => entry.type === 'cancel_refused')).toHaveLength(1)
    await noViolations(host)
  })

  it('finding 4: re-reading a cancellation that was refused adds no second cancel_refused event, hub delivery or note', async () => {
    const { host, tenant, connection } = await plentySetup([plentyOrderPayload({ id: 4101 })], {})
    await apiJson('/api/v1/webhook-endpoints', {
      token: tenant.token,
      body: { url: `https://${uniqueName('r')}.hooks.test/kontor`, events: ['order.cancel_refused'] },
    })
    await waitForJob(connection.backfillJobId!)
    const busy = await orderByExternal(tenant.token, connection.id, '4101')
    await event(tenant.token, busy.id, { type: 'processing' })
    await waitFor(
      async () =>
        (await env.DB.prepare('select count(*) as n from outbound_calls where order_id = ?')
          .bind(busy.id)
          .first<{ n: number }>())!.n,
      { what: 'processing sync' }
    )
    // The cancelled order is read three times, still cancelled each time (the refusal's write-back to
    // 5.1 undone by the merchant, or not yet made): each read after the first must find it unchanged.
    for (let read = 0; read < 3; read++) {
      await plenty(host, '/_sim/orders', {
        orders: [
          plentyOrderPayload({
            id: 4101,
            statusId: 8,
            createdAt: '2026-11-30T09:00:00+00:00',
            updatedAt: '2099-01-01T00:00:00+00:00',
          }),
        ],
      })
      const { jobId } = await apiJson(`/api/v1/connections/${connection.id}/sync`, {
        token: tenant.token,
        body: { mode: 'backfill' },
      })
      expect((await waitForJob(jobId)).status).toBe('done')
    }
    await waitFor(async () => (await plenty(host, '/_sim/orders/4101')).comments.length, { what: 'refusal note' })
    await new Promise((resolve) => setTimeout(resolve, 1000))

    const order = await orderByExternal(tenant.token, connection.id, '4101')
    expect(order.events.filter((entry: any) => entry.type === 'cancel_refused')).toHaveLength(1)
    expect((await plenty(host, '/_sim/orders/4101')).comments.map((comment: any) => comment.text)).toEqual([
      expect.stringContaining('Cancellation refused'),
    ])
    const hubEvents = await env.DB.prepare(
      "select count(*) as n from webhook_deliveries where order_id = ? and type = 'order.cancel_refused'"
    )
      .bind(busy.id)
      .first<{ n: number }>()
    expect(hubEvents!.n).toBe(1)
    const updates = await listAll(`/api/v1/import-log?connectionId=${connection.id}&result=updated`, tenant.token)
    expect(updates.filter((line: any) => line.externalId === '4101')).toHaveLength(1)
  })

  it('platformStatus written back moves the order revision, so no import plans from the old status', async () => {
    const { tenant, connection } = await plentySetup([plentyOrderPayload({ id: 4201 })])
    await waitForJob(connection.backfillJobId!)
    const order = await orderByExternal(tenant.token, connection.id, '4201')
    const eventId = `evt_status_${uniqueName()}`
    const at = new Date().toISOString()
    // Recorded as already queued, so only the call below writes it back.
    await env.DB.prepare(
      "insert into order_events (id, tenant_id, order_id, type, at, message, data, source, sync_queued_at) values (?, ?, ?, 'handed_over', ?, null, '{}', 'api', ?)"
    )
      .bind(eventId, tenant.id, order.id, at, at)
      .run()
    const revision = async () =>
      (await env.DB.prepare('select revision, platform_status from orders where id = ?')
        .bind(order.id)
        .first<{ revision: number; platform_status: string }>())!
    const before = await revision()
    await handleSyncMessage(env, { type: 'write-back', eventId })
    const after = await revision()
    expect(after.platform_status).toBe('5.1')
    expect(after.revision).toBe(before.revision + 1)
  })

  it('a revoked token is replaced by one new login, and the session limit is respected', async () => {
    const { host, tenant, connection } = await plentySetup([plentyOrderPayload({ id: 5001 })], { maxSessions: 1 })
    await waitForJob(connection.backfillJobId!)
    await plenty(host, '/_sim/revoke-tokens', {})
    const { jobId } = await apiJson(`/api/v1/connections/${connection.id}/sync`, {
      token: tenant.token,
      body: { mode: 'poll' },
    })
    expect((await waitForJob(jobId)).status).toBe('done')
    expect((await plenty(host, '/_sim/requests')).logins).toBe(2)
  })
  it('when X-Plenty-*-Calls-Left reaches zero, the next call waits for the period instead of running into 429', async () => {
    const orders = Array.from({ length: 12 }, (_, index) => plentyOrderPayload({ id: 6000 + index }))
    const { host, connection } = await plentySetup(orders, { callsPerPeriod: 5 })
    expect((await waitForJob(connection.backfillJobId!)).status).toBe('done')
    await waitFor(async () => (await plenty(host, '/_sim/orders/6011')).statusId === 5.1, { what: 'all handed over' })
    const { requests } = await plenty(host, '/_sim/requests')
    expect(requests.filter((request: any) => request.method === 'PUT')).toHaveLength(12)
    expect(requests.filter((request: any) => request.status === 429)).toEqual([])
  })
})
