/**
 * Wemalo as the warehouse behind a shop back-end, across three simulators: orders imported from
 * Billbee or plentymarkets are handed over as goods orders (WM1), Wemalo's callbacks and the
 * cron's poll of sent packages come back as order events (WM2), and cancellations are sent on and
 * refused once picking started (WM3) — each ending in what the source platform shows.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createConnection, runCron, simulatorCall, uniqueName, waitFor, waitForJob } from '../helpers'
import { billbeeOrderPayload } from '../simulators/billbee'
import { plentyOrderPayload } from '../simulators/plentymarkets'
import { plentyConnection } from './plenty-support'
import { kontorOrder, wemaloDestination } from './wemalo-support'
import { billbeeSim } from './billbee-support'

const WEMALO_TOKEN = 'wemalo-jwt-e2e'
const wemalo = simulatorCall
const plenty = simulatorCall

const billbee = billbeeSim

/** A tenant with a Wemalo connection (its callbacks registered) and a fresh simulated account. */
const wemaloSetup = (account: Record<string, unknown> = {}) => wemaloDestination({ token: WEMALO_TOKEN, account })

/** Makes the simulator send a callback and posts it to the Worker, as Wemalo would. */
async function callback(host: string, input: Record<string, unknown>) {
  const { deliveries } = await wemalo(host, '/_sim/callbacks/send', { ...input, deliver: false })
  expect(deliveries).toHaveLength(1)
  const url = new URL(deliveries[0].url)
  const response = await api(`${url.pathname}${url.search}`, {
    method: 'POST',
    headers: deliveries[0].headers,
    rawBody: deliveries[0].body,
  })
  expect(response.status).toBe(202)
  return response
}

async function goodsOrder(host: string, orderId: string) {
  return waitFor(
    async () => {
      const response = await fetch(`https://${host}/_sim/goodsOrders/${orderId}`)
      return response.ok ? ((await response.json()) as any) : null
    },
    { what: `goods order ${orderId}`, timeoutMs: 30_000 }
  )
}

async function orderStatus(token: string, orderId: string, status: string) {
  return waitFor(
    async () => {
      const order = await apiJson(`/api/v1/orders/${orderId}`, { token })
      return order.status === status ? order : null
    },
    { what: `order ${orderId} ${status}`, timeoutMs: 30_000 }
  )
}

const noViolations = async (host: string) => expect((await wemalo(host, '/_sim/state')).violations).toEqual([])

async function plentySource(tenantToken: string, destinationId: string, orders: unknown[]) {
  return plentyConnection(tenantToken, { orders, routes: [destinationId] })
}

describe('Wemalo end to end', () => {
  it('WM1, WM2, BB9: a Billbee order becomes a goods order; INPROCESS, then SHIPPED with tracking → Billbee state 4 and a shipment with the carrier', async () => {
    const { host, tenant, destination } = await wemaloSetup()
    const { hooks } = await wemalo(host, '/_sim/state')
    expect(hooks.map((hook: any) => hook.event)).toEqual(['status_update', 'trackingnumber_added', 'stock_change'])

    const apiKey = uniqueName('key')
    await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
    await billbee(apiKey, '/_sim/orders', { orders: [billbeeOrderPayload({ BillBeeOrderId: 801 })] })
    const source = await createConnection(tenant.token, {
      platform: 'billbee',
      credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
      settings: { ordersTag: 'kontor' },
      routes: [destination.id],
    })
    await waitForJob(source.backfillJobId!, 60_000)
    const order = await kontorOrder(tenant.token, source.id, '801')

    const created = await goodsOrder(host, order.id)
    expect(created.body.meta).toMatchObject({ externalId: order.id, orderNumber: order.number })
    expect(created.body.meta.receiver[0]).toMatchObject({ countryCode2Letter: 'DE' })
    for (const position of created.body.positions)
      if ('total' in position) expect(Number.isInteger(position.total)).toBe(true)

    await wemalo(host, `/_sim/goodsOrders/${order.id}/status`, { statusName: 'INPROCESS' })
    await callback(host, { event: 'status_update', externalId: order.id })
    await orderStatus(tenant.token, order.id, 'processing')

    const { parcelId } = await wemalo(host, `/_sim/goodsOrders/${order.id}/ship`, {
      trackingNumber: '00340434161094000801',
      carrier: 'DHL',
    })
    await callback(host, { event: 'trackingnumber_added', parcelId })
    await callback(host, { event: 'status_update', externalId: order.id })
    const shipped = await orderStatus(tenant.token, order.id, 'shipped')
    expect(shipped.tracking).toEqual([expect.objectContaining({ number: '00340434161094000801', carrier: 'DHL' })])

    const inBillbee = await waitFor(
      async () => {
        const current = await billbee(apiKey, '/_sim/orders/801')
        return current.State === 4 && current.shipments.length ? current : null
      },
      { what: 'Billbee state 4 with a shipment', timeoutMs: 30_000 }
    )
    // The webhook and the status both reported the parcel: one shipment, with the carrier (BB9).
    expect(inBillbee.shipments).toHaveLength(1)
    expect(inBillbee.shipments[0]).toMatchObject({ ShippingId: '00340434161094000801', ShippingProviderId: 12345 })
    await noViolations(host)
  })

  it('WM1, WM2, PM4: a plentymarkets order; Wemalo holds it back as PARTIAL for its address → plenty 6.2 and a note', async () => {
    const { host, tenant, destination } = await wemaloSetup()
    const source = await plentySource(tenant.token, destination.id, [plentyOrderPayload({ id: 8201 })])
    await waitForJob(source.connection.backfillJobId!)
    const order = await kontorOrder(tenant.token, source.connection.id, '8201')
    await goodsOrder(host, order.id)

    await waitFor(async () => (await plenty(source.host, '/_sim/orders/8201')).statusId === 5.1, {
      what: '8201 at 5.1',
    })
    const reason = 'Adressdaten fehlerhaft: Packstation ohne Postnummer'
    await wemalo(host, `/_sim/goodsOrders/${order.id}/status`, { statusName: 'PARTIAL', reason })
    await callback(host, { event: 'status_update', externalId: order.id })
    await orderStatus(tenant.token, order.id, 'address_error')
    const inPlenty = await waitFor(
      async () => {
        const current = await plenty(source.host, '/_sim/orders/8201')
        return current.statusId === 6.2 && current.comments.length ? current : null
      },
      { what: 'plenty 6.2 with a note', timeoutMs: 30_000 }
    )
    expect(inPlenty.comments.map((comment: any) => comment.text).join('\n')).toContain(reason)
    await noViolations(host)
  })

  it('WM3, PM5: a plentymarkets cancellation Wemalo refuses because picking started → cancelRefusedStatus and a note, not 8.8; before picking → 8.8', async () => {
    const { host, tenant, destination } = await wemaloSetup()
    const source = await plentySource(tenant.token, destination.id, [
      plentyOrderPayload({ id: 8301 }),
      plentyOrderPayload({ id: 8302 }),
    ])
    await waitForJob(source.connection.backfillJobId!)
    const picking = await kontorOrder(tenant.token, source.connection.id, '8301')
    const open = await kontorOrder(tenant.token, source.connection.id, '8302')
    await goodsOrder(host, picking.id)
    await goodsOrder(host, open.id)
    // Picking starts in the warehouse before any callback told Kontor: the cancellation goes to Wemalo.
    await wemalo(host, `/_sim/goodsOrders/${picking.id}/status`, { statusName: 'INPICKING' })

    // PM3: both are at 5.1 once handed over; only then does plenty cancel them (status 8).
    for (const id of ['8301', '8302'])
      await waitFor(async () => (await plenty(source.host, `/_sim/orders/${id}`)).statusId === 5.1, {
        what: `${id} at 5.1`,
      })
    const later = '2099-01-01T00:00:00+00:00'
    await plenty(source.host, '/_sim/orders', {
      orders: [
        plentyOrderPayload({ id: 8301, statusId: 8, updatedAt: later }),
        plentyOrderPayload({ id: 8302, statusId: 8, updatedAt: later }),
      ],
    })
    await runCron(new Date(Date.now() + 10 * 60_000))

    const refused = await waitFor(
      async () => {
        const current = await plenty(source.host, '/_sim/orders/8301')
        return current.comments.length ? current : null
      },
      { what: 'the refusal note in plenty', timeoutMs: 30_000 }
    )
    expect(refused.statusId).toBe(5.1)
    expect(refused.statusId).not.toBe(8.8)
    expect(refused.comments.map((comment: any) => comment.text).join('\n')).toMatch(/picking has started/)
    const refusedOrder = await apiJson(`/api/v1/orders/${picking.id}`, { token: tenant.token })
    expect(refusedOrder.events.filter((entry: any) => entry.type === 'cancel_refused')).toHaveLength(1)
    expect((await wemalo(host, `/_sim/goodsOrders/${picking.id}`)).statusName).toBe('INPICKING')
    const { requests } = await wemalo(host, '/_sim/state')
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'PUT', path: `/v1/goodsOrder/cancel/${picking.id}`, status: 400 })
    )

    await waitFor(async () => (await plenty(source.host, '/_sim/orders/8302')).statusId === 8.8, {
      what: '8.8 for the order cancelled before picking',
      timeoutMs: 30_000,
    })
    expect((await wemalo(host, `/_sim/goodsOrders/${open.id}`)).statusName).toBe('CANCELLED')
    await orderStatus(tenant.token, open.id, 'cancelled')
    await noViolations(host)
  })

  it("a source's cancellation of a handed-over order is cancel_requested (status and event) until the warehouse answers: then cancelled and 8.8 when Wemalo confirms, cancel_refused and no 8.8 when it refuses; no order.cancelled to the hub before", async () => {
    const { host, tenant, destination } = await wemaloSetup()
    await apiJson('/api/v1/webhook-endpoints', {
      token: tenant.token,
      body: {
        url: `https://${uniqueName('r')}.hooks.test/kontor`,
        events: ['order.cancel_requested', 'order.cancelled', 'order.cancel_refused'],
      },
    })
    const source = await plentySource(tenant.token, destination.id, [
      plentyOrderPayload({ id: 8311 }),
      plentyOrderPayload({ id: 8312 }),
    ])
    await waitForJob(source.connection.backfillJobId!)
    const picking = await kontorOrder(tenant.token, source.connection.id, '8311')
    const open = await kontorOrder(tenant.token, source.connection.id, '8312')
    await goodsOrder(host, picking.id)
    await goodsOrder(host, open.id)
    await wemalo(host, `/_sim/goodsOrders/${picking.id}/status`, { statusName: 'INPICKING' })
    for (const id of ['8311', '8312'])
      await waitFor(async () => (await plenty(source.host, `/_sim/orders/${id}`)).statusId === 5.1, {
        what: `${id} at 5.1`,
      })

    // Wemalo does not answer the cancellations yet: each attempt meets a 503 until the fault is cleared.
    await wemalo(host, '/_sim/faults', { status: 503, count: 1000, path: '/goodsOrder/cancel' })
    const later = '2099-01-01T00:00:00+00:00'
    await plenty(source.host, '/_sim/orders', {
      orders: [
        plentyOrderPayload({ id: 8311, statusId: 8, updatedAt: later }),
        plentyOrderPayload({ id: 8312, statusId: 8, updatedAt: later }),
      ],
    })
    await runCron(new Date(Date.now() + 10 * 60_000))
    await waitFor(
      async () => {
        const { requests } = await wemalo(host, '/_sim/state')
        const unanswered = (orderId: string) =>
          requests.some((request: any) => request.path === `/v1/goodsOrder/cancel/${orderId}` && request.status === 503)
        return unanswered(picking.id) && unanswered(open.id)
      },
      { what: 'both cancellations sent and unanswered', timeoutMs: 30_000 }
    )
    const cancellationEvents = ['cancel_requested', 'cancelled', 'cancel_refused']
    const cancellations = (order: any) =>
      order.events.map((entry: any) => entry.type).filter((type: string) => cancellationEvents.includes(type))
    for (const id of [picking.id, open.id]) {
      const requested = await apiJson(`/api/v1/orders/${id}`, { token: tenant.token })
      expect(requested.status).toBe('cancel_requested')
      expect(cancellations(requested)).toEqual(['cancel_requested'])
    }
    const listed = await apiJson(`/api/v1/orders?connectionId=${source.connection.id}&status=cancel_requested`, {
      token: tenant.token,
    })
    expect(listed.items.map((item: any) => item.id).sort()).toEqual([picking.id, open.id].sort())
    // PM5: plenty is not told 8.8 (nor the refusal) before the warehouse answered: still the shop's 8.
    for (const id of ['8311', '8312']) expect((await plenty(source.host, `/_sim/orders/${id}`)).statusId).toBe(8)

    await fetch(`https://${host}/_sim/faults`, { method: 'DELETE' })
    const refused = await orderStatus(tenant.token, picking.id, 'cancel_refused')
    expect(cancellations(refused)).toEqual(['cancel_requested', 'cancel_refused'])
    const cancelled = await orderStatus(tenant.token, open.id, 'cancelled')
    expect(cancellations(cancelled)).toEqual(['cancel_requested', 'cancelled'])
    await waitFor(async () => (await plenty(source.host, '/_sim/orders/8312')).statusId === 8.8, {
      what: '8.8 once Wemalo cancelled 8312',
      timeoutMs: 30_000,
    })
    const refusedInPlenty = await waitFor(
      async () => {
        const current = await plenty(source.host, '/_sim/orders/8311')
        return current.comments.length ? current : null
      },
      { what: 'the refusal note in plenty', timeoutMs: 30_000 }
    )
    expect(refusedInPlenty.statusId).not.toBe(8.8)

    const hubEvents = async (orderId: string) =>
      (
        await env.DB.prepare(
          'select type, count(*) as n from webhook_deliveries where order_id = ? group by type order by type'
        )
          .bind(orderId)
          .all<{ type: string; n: number }>()
      ).results
    expect(await hubEvents(picking.id)).toEqual([
      { type: 'order.cancel_refused', n: 1 },
      { type: 'order.cancel_requested', n: 1 },
    ])
    expect(await hubEvents(open.id)).toEqual([
      { type: 'order.cancel_requested', n: 1 },
      { type: 'order.cancelled', n: 1 },
    ])
    await noViolations(host)
  })

  it('WM2, PM7: with its hook dropped, the poll of sent packages still brings the tracking number back and acknowledges the booking', async () => {
    const { host, tenant, destination } = await wemaloSetup()
    const source = await plentySource(tenant.token, destination.id, [plentyOrderPayload({ id: 8501 })])
    await waitForJob(source.connection.backfillJobId!)
    const order = await kontorOrder(tenant.token, source.connection.id, '8501')
    await goodsOrder(host, order.id)

    // Ten failed deliveries: Wemalo unregisters both hooks and nothing reaches Kontor.
    await wemalo(host, '/_sim/webhooks/drop', { event: 'status_update' })
    await wemalo(host, '/_sim/webhooks/drop', { event: 'trackingnumber_added' })
    const { bookingIds } = await wemalo(host, `/_sim/goodsOrders/${order.id}/ship`, {
      trackingNumber: 'JJD0001234567',
      carrier: 'DHL',
    })
    expect(
      (await wemalo(host, '/_sim/callbacks/send', { event: 'status_update', externalId: order.id })).deliveries
    ).toEqual([])

    await runCron(new Date(Date.now() + 10 * 60_000))
    const shipped = await orderStatus(tenant.token, order.id, 'shipped')
    expect(shipped.tracking).toEqual([expect.objectContaining({ number: 'JJD0001234567', carrier: 'DHL' })])
    const inPlenty = await waitFor(
      async () => {
        const current = await plenty(source.host, '/_sim/orders/8501')
        return current.packages.length ? current : null
      },
      { what: 'the shipping package in plenty', timeoutMs: 30_000 }
    )
    expect(inPlenty.packages[0]).toMatchObject({ packageNumber: 'JJD0001234567' })

    const acknowledged = await waitFor(
      async () => {
        const { bookings } = await wemalo(host, '/_sim/state')
        const mine = bookings.filter((booking: any) => bookingIds.includes(booking.historyId))
        return mine.length && mine.every((booking: any) => booking.synchedAt) ? mine : null
      },
      { what: 'the bookings acknowledged', timeoutMs: 30_000 }
    )
    expect(acknowledged).toHaveLength(bookingIds.length)
    const { requests } = await wemalo(host, '/_sim/state')
    for (const bookingId of bookingIds)
      expect(requests).toContainEqual(
        expect.objectContaining({ method: 'PUT', path: `/v1/goodsOrder/packages/sent/${bookingId}`, status: 200 })
      )
    await noViolations(host)
    // A second poll finds nothing new and ships nothing twice.
    await runCron(new Date(Date.now() + 20 * 60_000))
    expect((await plenty(source.host, '/_sim/orders/8501')).packages).toHaveLength(1)
  })
})
