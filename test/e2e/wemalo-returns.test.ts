/**
 * Returns come home (RT1, RT2): a plentymarkets order handed to Wemalo ships, the customer sends
 * it back, Wemalo books the return; Kontor records it on the order once per booking, acknowledges
 * the booking only after that, and plentymarkets gets its note and, once every line is back, the
 * return status. Across the plentymarkets and Wemalo simulators, with the real Worker and queues.
 */
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import { readBookedReturns } from '../../src/returns/read-returns'
import { api, apiJson, KONTOR, listAll, runCron, simulatorCall, uniqueName, waitFor, waitForJob } from '../helpers'
import { plentyOrderPayload } from '../simulators/plentymarkets'
import { plentyConnection } from './plenty-support'
import { kontorOrder, wemaloDestination } from './wemalo-support'

const WEMALO_TOKEN = 'wemalo-jwt-returns'
const sim = simulatorCall

/** A tenant, a Wemalo connection (its hook for stock_change registered too) and a plenty source routed to it. */
async function setup(orders: unknown[]) {
  const { host, tenant, destination } = await wemaloDestination({ token: WEMALO_TOKEN, hostPrefix: 'r' })
  // stock_change is registered by the stock loop; here the merchant's registration is played directly.
  const { hooks } = await sim(host, '/_sim/state')
  const statusHook = hooks.find((hook: any) => hook.event === 'status_update')
  const registered = await fetch(`https://${host}/v1/webhook/stock_change`, {
    method: 'POST',
    headers: { authorization: `JWT ${WEMALO_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      payload: statusHook.payload.replace('event=status_update', 'event=stock_change'),
      token: statusHook.token,
      email: 'ops@example.com',
    }),
  })
  expect(registered.status).toBe(200)
  const source = await plentyConnection(tenant.token, { orders, routes: [destination.id] })
  await waitForJob(source.connection.backfillJobId!)
  return { host, tenant, destination, source }
}

async function orderWhere(token: string, orderId: string, check: (order: any) => boolean, what: string) {
  return waitFor(
    async () => {
      const order = await apiJson(`/api/v1/orders/${orderId}`, { token })
      return check(order) ? order : null
    },
    { what, timeoutMs: 30_000 }
  )
}

/** Hands the order over, ships it in Wemalo and lets the poll of sent packages report it. */
async function handOverAndShip(context: Awaited<ReturnType<typeof setup>>, externalId: string) {
  const { host, tenant, source } = context
  const order = await kontorOrder(tenant.token, source.connection.id, externalId)
  await waitFor(async () => (await fetch(`https://${host}/_sim/goodsOrders/${order.id}`)).ok, {
    what: 'the goods order',
    timeoutMs: 30_000,
  })
  await sim(host, `/_sim/goodsOrders/${order.id}/ship`, { trackingNumber: `JJD${externalId}`, carrier: 'DHL' })
  const readsBefore = (await returnReads(host)).length
  await runCron(new Date(Date.now() + 10 * 60_000))
  await orderWhere(tenant.token, order.id, (current) => current.status === 'shipped', `${order.id} shipped`)
  // The poll ends with its read of the booked returns: once it did, nothing else reads them.
  await waitFor(async () => (await returnReads(host)).length > readsBefore, { what: 'the poll done' })
  return order
}

/** Posts a delivery the simulator built (`notify: "delivery"`) to the Worker, as Wemalo would. */
async function deliver(delivery: { url: string; headers: Record<string, string>; body: string }) {
  const url = new URL(delivery.url)
  const response = await api(`${url.pathname}${url.search}`, {
    method: 'POST',
    headers: delivery.headers,
    rawBody: delivery.body,
  })
  expect(response.status).toBe(202)
}

/** A dashboard page as the tenant sees it once signed in. */
async function dashboardPage(token: string, path: string): Promise<string> {
  const worker = (exports as unknown as { default: Fetcher }).default
  const signIn = await worker.fetch(
    new Request(`${KONTOR}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token }),
      headers: { origin: KONTOR, 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    })
  )
  const cookie = signIn.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  const page = await worker.fetch(new Request(`${KONTOR}${path}`, { headers: { cookie }, redirect: 'manual' }))
  expect(page.status).toBe(200)
  return page.text()
}

async function plentyRequests(host: string): Promise<any[]> {
  const answer = await sim(host, '/_sim/requests')
  return answer.requests ?? answer
}

const returnReads = async (host: string) =>
  (await sim(host, '/_sim/state')).requests.filter(
    (request: any) => request.method === 'GET' && request.path === '/v1/returns/booked'
  )
const returnedEvents = (order: any) => order.events.filter((event: any) => event.type === 'returned')
const acknowledgements = async (host: string, bookingId: string) =>
  (await sim(host, '/_sim/state')).requests.filter(
    (request: any) => request.method === 'PUT' && request.path === `/v1/returns/booked/${bookingId}`
  )

describe('Wemalo returns (RT1, RT2)', () => {
  it('RT1, RT2, PM6: a plentymarkets order goes to Wemalo, ships, comes back; plentymarkets ends at the return status (9.01, the seed’s 9.0.1) with a note naming the lines and the reason', async () => {
    const context = await setup([plentyOrderPayload({ id: 9101 })])
    const { host, tenant, source } = context
    const hookHost = `${uniqueName('h')}.hooks.test`
    await apiJson('/api/v1/webhook-endpoints', {
      token: tenant.token,
      body: { url: `https://${hookHost}/kontor`, events: ['order.returned'] },
    })
    const order = await handOverAndShip(context, '9101')
    await waitFor(async () => (await sim(source.host, '/_sim/orders/9101')).statusId === 5.1, { what: '9101 at 5.1' })

    const { bookingIds } = await sim(host, '/_sim/returns', {
      goodsOrderExternalId: order.id,
      items: [{ externalId: 'SESSEL-BW', quantity: 1 }],
      reasonCode: 'damaged',
    })
    // The webhook was never sent: the poll brings the return.
    await runCron(new Date(Date.now() + 20 * 60_000))

    const returned = await orderWhere(tenant.token, order.id, (current) => current.status === 'returned', 'returned')
    expect(returnedEvents(returned)).toHaveLength(1)
    expect(returnedEvents(returned)[0].data).toMatchObject({
      lines: [{ lineId: order.lines[0].id, sku: 'SESSEL-BW', quantity: 1 }],
      reason: 'damaged',
      bookingId: bookingIds[0],
    })
    expect(returned.lines[0].returnedQuantity).toBe(1)

    const inPlenty = await waitFor(
      async () => {
        const current = await sim(source.host, '/_sim/orders/9101')
        return current.statusId === 9.01 && current.comments.some((c: any) => /Returned/.test(c.text)) ? current : null
      },
      { what: 'plenty at 9.01 with the return note', timeoutMs: 30_000 }
    )
    const note = inPlenty.comments.find((comment: any) => /Returned/.test(comment.text)).text
    expect(note).toContain('1 × SESSEL-BW')
    expect(note).toContain('damaged')
    expect((await sim(host, '/_sim/returns')).bookings[0].synchedAt).not.toBeNull()
    // Never a refund, never a stock booking.
    const paths = (await plentyRequests(source.host)).map((request: any) => `${request.method} ${request.path}`)
    expect(paths.filter((path: string) => /returns|stock|refund|payment/i.test(path))).toEqual([])
    expect((await sim(host, '/_sim/state')).violations).toEqual([])

    // Out: the hub webhook, and the order page of the dashboard.
    const [hook] = await waitFor(async () => {
      const received = await sim(hookHost, '/_sim/received')
      return received.length ? received : null
    })
    const delivered = JSON.parse(hook.body)
    expect(delivered.type).toBe('order.returned')
    expect(delivered.data.order).toMatchObject({ id: order.id, status: 'returned' })
    expect(delivered.data.event.data).toMatchObject({ reason: 'damaged', bookingId: bookingIds[0] })
    const page = await dashboardPage(tenant.token, `/orders/${order.id}`)
    const returnsTable = page.slice(
      page.indexOf('id="returns"'),
      page.indexOf('</table>', page.indexOf('id="returns"'))
    )
    expect(returnsTable).toContain('1 × SESSEL-BW')
    expect(returnsTable).toContain('damaged')
    expect(returnsTable).toContain(bookingIds[0])
  })

  it('RT1, RT2: a return read by two polls and the webhook too, the first acknowledgement failing: one event, one acknowledgement, one plentymarkets status change, one note', async () => {
    const context = await setup([plentyOrderPayload({ id: 9201 })])
    const { host, tenant, destination, source } = context
    const order = await handOverAndShip(context, '9201')
    const db = database(env.DB)

    const booked = await sim(host, '/_sim/returns', {
      goodsOrderExternalId: order.id,
      items: [{ externalId: 'SESSEL-BW', quantity: 1, reasonCode: 'wrong size' }],
      notify: 'delivery',
    })
    const bookingId = booked.bookingIds[0]
    await sim(host, '/_sim/faults', { status: 503, times: 1, path: '/returns/booked/' })

    // Poll 1: the event is stored, its acknowledgement fails and is said to be tried again.
    await expect(readBookedReturns(env, db, destination.id)).rejects.toThrow(/not settled, tried again/)
    const afterFirst = await apiJson(`/api/v1/orders/${order.id}`, { token: tenant.token })
    expect(returnedEvents(afterFirst)).toHaveLength(1)
    expect(await acknowledgements(host, bookingId)).toEqual([expect.objectContaining({ status: 503 })])
    expect((await sim(host, '/_sim/returns')).bookings[0].synchedAt).toBeNull()

    // Poll 2: the same booking again: no second event, the acknowledgement goes through.
    await readBookedReturns(env, db, destination.id)
    expect((await sim(host, '/_sim/returns')).bookings[0].synchedAt).not.toBeNull()

    // The webhook (and its redelivery) arrive late: Wemalo lists nothing any more.
    const readsBefore = (await returnReads(host)).length
    await deliver(booked.deliveries[0])
    await deliver(booked.deliveries[0])
    await waitFor(async () => (await returnReads(host)).length >= readsBefore + 2, {
      what: 'both deliveries read the returns',
      timeoutMs: 30_000,
    })
    await readBookedReturns(env, db, destination.id)

    const final = await orderWhere(tenant.token, order.id, (current) => current.status === 'returned', 'returned')
    expect(returnedEvents(final)).toHaveLength(1)
    expect((await acknowledgements(host, bookingId)).map((request: any) => request.status)).toEqual([503, 200])
    const calls = await listAll(`/api/v1/outbound-calls?connectionId=${destination.id}`, tenant.token)
    expect(calls.filter((call: any) => call.action === 'return:acknowledge')).toEqual([
      expect.objectContaining({ result: 'done', attempts: 2, orderId: order.id }),
    ])

    await waitFor(
      async () => (await sim(source.host, '/_sim/orders/9201')).comments.some((c: any) => /Returned/.test(c.text)),
      { what: 'the return note', timeoutMs: 30_000 }
    )
    await runCron(new Date(Date.now() + 30 * 60_000))
    const requests = await plentyRequests(source.host)
    const statusChanges = requests.filter(
      (request: any) =>
        request.method === 'PUT' && request.path === '/rest/orders/9201' && request.body?.statusId === 9.01
    )
    const notes = requests.filter(
      (request: any) =>
        request.method === 'POST' && request.path === '/rest/comments' && /Returned/.test(request.body?.text)
    )
    expect(statusChanges).toHaveLength(1)
    expect(notes).toHaveLength(1)
    expect(notes[0].body.text).toContain('wrong size')
  })

  it('RT1: the poll and the webhook reading one booking at the same moment record one event and send one acknowledgement', async () => {
    const context = await setup([plentyOrderPayload({ id: 9401 })])
    const { host, tenant, destination } = context
    const order = await handOverAndShip(context, '9401')
    const db = database(env.DB)
    const { bookingIds } = await sim(host, '/_sim/returns', {
      goodsOrderExternalId: order.id,
      items: [{ externalId: 'SESSEL-BW' }],
    })
    // Two readers at once: the one that finds the acknowledgement claimed says so and is retried.
    await Promise.allSettled([readBookedReturns(env, db, destination.id), readBookedReturns(env, db, destination.id)])
    await readBookedReturns(env, db, destination.id)
    const final = await apiJson(`/api/v1/orders/${order.id}`, { token: tenant.token })
    expect(returnedEvents(final)).toHaveLength(1)
    expect(final.status).toBe('returned')
    expect((await acknowledgements(host, bookingIds[0])).map((request: any) => request.status)).toEqual([200])
  })

  it('RT1, RT2: a partial return carries only its lines; the order stays shipped with the returned lines listed until the rest comes back', async () => {
    const context = await setup([
      plentyOrderPayload({
        id: 9301,
        orderItems: [
          {
            id: 931,
            orderId: 9301,
            typeId: 1,
            itemVariationId: 1012,
            quantity: 2,
            orderItemName: 'Design Sessel Black&White',
            amounts: [{ isSystemCurrency: true, currency: 'EUR', priceGross: 149 }],
            variation: { id: 1012, itemId: 120, number: 'SESSEL-BW' },
          },
          {
            id: 932,
            orderId: 9301,
            typeId: 1,
            itemVariationId: 1013,
            quantity: 1,
            orderItemName: 'Hocker',
            amounts: [{ isSystemCurrency: true, currency: 'EUR', priceGross: 49 }],
            variation: { id: 1013, itemId: 121, number: 'HOCKER' },
          },
        ],
      }),
    ])
    const { host, tenant, destination, source } = context
    const order = await handOverAndShip(context, '9301')
    const db = database(env.DB)
    const [sessel, hocker] = order.lines

    await sim(host, '/_sim/returns', {
      goodsOrderExternalId: order.id,
      items: [{ externalId: 'SESSEL-BW', quantity: 1 }],
      reasonCode: 'defect',
    })
    await readBookedReturns(env, db, destination.id)
    const partial = await orderWhere(
      tenant.token,
      order.id,
      (current) => returnedEvents(current).length === 1,
      'one return recorded'
    )
    expect(partial.status).toBe('shipped')
    expect(returnedEvents(partial)[0].data.lines).toEqual([
      { lineId: sessel.id, sku: 'SESSEL-BW', name: sessel.name, quantity: 1 },
    ])
    expect(partial.lines.map((line: any) => line.returnedQuantity)).toEqual([1, 0])
    const noted = await waitFor(
      async () => {
        const current = await sim(source.host, '/_sim/orders/9301')
        return current.comments.some((c: any) => /Returned/.test(c.text)) ? current : null
      },
      { what: 'the partial return note', timeoutMs: 30_000 }
    )
    expect(noted.statusId).toBe(5.1)
    expect(noted.comments.find((c: any) => /Returned/.test(c.text)).text).toContain('1 × SESSEL-BW')

    // The rest comes back in one return of two bookings: now every line is back.
    await sim(host, '/_sim/returns', {
      goodsOrderExternalId: order.id,
      items: [
        { externalId: 'SESSEL-BW', quantity: 1 },
        { externalId: 'HOCKER', quantity: 1 },
      ],
    })
    await readBookedReturns(env, db, destination.id)
    const complete = await orderWhere(tenant.token, order.id, (current) => current.status === 'returned', 'returned')
    expect(returnedEvents(complete)).toHaveLength(3)
    expect(complete.lines.map((line: any) => line.returnedQuantity)).toEqual([2, 1])
    expect(returnedEvents(complete)[2].data.lines).toEqual([
      { lineId: hocker.id, sku: 'HOCKER', name: hocker.name, quantity: 1 },
    ])
    await waitFor(async () => (await sim(source.host, '/_sim/orders/9301')).statusId === 9.01, {
      what: '9301 at 9.01',
      timeoutMs: 30_000,
    })
  })

  it('RT1: a booking for a goods order Kontor does not know is logged with the reason and acknowledged, once', async () => {
    const context = await setup([])
    const { host, tenant, destination } = context
    const db = database(env.DB)
    const { bookingIds } = await sim(host, '/_sim/returns', {
      goodsOrderExternalId: 'ord_never_handed_over',
      items: [{ externalId: 'MUG', quantity: 2 }],
      reasonCode: 'damaged',
    })
    const foreign = await sim(host, '/_sim/returns', {
      goodsOrderExternalId: 'WC-5541',
      items: [{ externalId: 'CUP' }],
    })

    await readBookedReturns(env, db, destination.id)
    await readBookedReturns(env, db, destination.id)

    const log = await apiJson(`/api/v1/import-log?connectionId=${destination.id}&kind=return`, { token: tenant.token })
    expect(log.items).toHaveLength(2)
    for (const entry of log.items) expect(entry).toMatchObject({ result: 'skipped', rule: 'RT1' })
    const entry = log.items.find((item: any) => item.externalId === bookingIds[0])
    expect(entry.reason).toContain('ord_never_handed_over')
    expect(entry.reason).toContain('2 × MUG')
    expect(entry.reason).toContain('acknowledged')

    const { bookings } = await sim(host, '/_sim/returns')
    expect(bookings.every((booking: any) => booking.synchedAt)).toBe(true)
    for (const bookingId of [...bookingIds, ...foreign.bookingIds])
      expect(await acknowledgements(host, bookingId)).toHaveLength(1)
    const calls = await listAll(`/api/v1/outbound-calls?connectionId=${destination.id}`, tenant.token)
    const acknowledged = calls.filter((call: any) => call.action === 'return:acknowledge')
    expect(acknowledged).toHaveLength(2)
    for (const call of acknowledged) expect(call).toMatchObject({ result: 'done', orderId: null })
    expect(acknowledged.map((call: any) => call.detail).join('\n')).toMatch(/without an event/)
  })
})
