import { describe, expect, it } from 'vitest'
import { FinalError, RetryableError } from '../../../src/core/errors'
import { wemaloConnector } from '../../../src/connectors/wemalo'
import type { HandoverReference } from '../../../src/connectors/types'
import { handoverOrder, memorySteps, WEBHOOK_SECRET, wemaloAccount } from './support'

const KONTOR_HOOK = 'https://kontor.test/webhooks/wemalo/con_wm'
const wemalo = wemaloConnector

function reference(orderId: string, overrides: Partial<HandoverReference> = {}): HandoverReference {
  return {
    orderId,
    reference: null,
    state: 'confirmed',
    details: {},
    createdAt: '2026-11-22T08:00:00.000Z',
    updatedAt: '2026-11-22T08:00:00.000Z',
    ...overrides,
  }
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

/** What Kontor's intake would store from a simulator delivery (topic from the verdict). */
async function inboxEvent(delivery: { url: string; headers: Record<string, string>; body: string }) {
  const verdict = await wemalo.verifyWebhook!(
    {
      method: 'POST',
      url: delivery.url,
      headers: new Headers(delivery.headers),
      body: new TextEncoder().encode(delivery.body),
    },
    { token: 'jwt-token-1', webhookSecret: WEBHOOK_SECRET }
  )
  if (verdict.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(verdict)}`)
  return { topic: verdict.topic, body: delivery.body, receivedAt: new Date().toISOString() }
}

describe('Wemalo hand-over (WM1)', () => {
  it('WM1: creates a goods order the apidoc accepts, with JWT auth, and confirms it with the goods order id', async () => {
    const { context, sim, state } = await wemaloAccount({}, { dispatcherProfile: 'DHL' })
    const outcome = await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    const goodsOrder = await sim('/_sim/goodsOrders/ord_wm_1')
    expect(outcome).toMatchObject({ state: 'confirmed', reference: String(goodsOrder.id) })
    expect(goodsOrder.body.meta).toMatchObject({
      externalId: 'ord_wm_1',
      orderNumber: 'BB-9001',
      dispatcherProfile: 'DHL',
    })
    expect(goodsOrder.body.positions).toHaveLength(3)
    const { requests, violations } = await state()
    expect(violations).toEqual([])
    expect(requests.every((request: any) => request.authorization === 'JWT jwt-token-1')).toBe(true)
    expect(requests.map((request: any) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      'GET /v1/goodsOrder/getStatus/ord_wm_1 404',
      'POST /v1/goodsOrder/add 200',
    ])
  })

  it('WM1: an address Wemalo requires is refused as address_error before any call', async () => {
    const { context, state } = await wemaloAccount()
    const order = handoverOrder({ shippingAddress: { ...handoverOrder().shippingAddress!, city: '  ' } })
    const error = await caught(wemalo.handOver(context, order, { attempt: 1, details: {} }, memorySteps()))
    expect(error).toBeInstanceOf(FinalError)
    expect(error.message).toMatch(/^address_error: .*city/)
    expect((await state()).requests).toEqual([])
  })

  it('WM1: a lost answer (created, then 500) is retried without a second goods order', async () => {
    const { context, sim, state } = await wemaloAccount()
    await sim('/_sim/faults', { mode: 'lost', times: 1, path: '/goodsOrder/add' })
    const steps = memorySteps()
    const first = await caught(wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, steps))
    expect(first).toBeInstanceOf(RetryableError)
    const second = await wemalo.handOver(context, handoverOrder(), { attempt: 2, details: {} }, steps)
    const { goodsOrders, requests, violations } = await state()
    expect(goodsOrders).toHaveLength(1)
    expect(second).toMatchObject({ state: 'confirmed', reference: String(goodsOrders[0].id) })
    expect(requests.filter((request: any) => request.path === '/v1/goodsOrder/add')).toHaveLength(1)
    expect(violations).toEqual([])
  })

  it('WM1: 500s are retryable, and a goods order that already exists is confirmed, not added again', async () => {
    const { context, sim, state } = await wemaloAccount()
    await sim('/_sim/faults', { mode: 'error', times: 1 })
    expect(
      await caught(wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps()))
    ).toBeInstanceOf(RetryableError)
    const created = await wemalo.handOver(context, handoverOrder(), { attempt: 2, details: {} }, memorySteps())
    // A fresh attempt with no memory of the first (another worker): getStatus finds it.
    const again = await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    expect(again.reference).toBe(created.reference)
    expect((await state()).goodsOrders).toHaveLength(1)
  })

  it("WM1: a refusal (4xx with Wemalo's error body) is final and carries Wemalo's message", async () => {
    const { context } = await wemaloAccount({ token: 'another-token' })
    const error = await caught(wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps()))
    expect(error).toBeInstanceOf(FinalError)
    expect(error.message).toContain('401')
    expect(error.message).toContain('invalid or missing token')
  })

  it('WM1: a bundle reaches Wemalo as its components only (BB6)', async () => {
    const { context, sim } = await wemaloAccount()
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    const { body } = await sim('/_sim/goodsOrders/ord_wm_1')
    expect(
      body.positions.map((position: any) => [position.externalId, position.quantity, position.total ?? null])
    ).toEqual([
      ['MUG-RED', 2, 2490],
      ['MUG-BLUE', 2, null],
      ['COASTER', 8, null],
    ])
  })
})

describe('Wemalo call limits', () => {
  it('WM1: when x-wemalo-limit-remainingcall reaches 0 the next call waits (back to the queue) instead of running into 419', async () => {
    const { context, state } = await wemaloAccount({ maxCall: 2, windowSeconds: 60 })
    // Two calls: getStatus (404) and add; the add leaves 0 remaining.
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    const paused = await caught(
      wemalo.handOver(context, handoverOrder({ id: 'ord_wm_2' }), { attempt: 1, details: {} }, memorySteps())
    )
    expect(paused).toBeInstanceOf(RetryableError)
    expect((paused as RetryableError).retryAfterSeconds).toBeGreaterThan(0)
    const { requests } = await state()
    expect(requests).toHaveLength(2)
    expect(requests.every((request: any) => request.status !== 419)).toBe(true)
  })

  it('WM1: a 419 is a rate limit: retryable, with a delay, never a final failure', async () => {
    const { context, state } = await wemaloAccount({ maxCall: 0 })
    const limited = await caught(wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps()))
    expect(limited).toBeInstanceOf(RetryableError)
    expect(limited.message).toContain('419')
    expect((limited as RetryableError).retryAfterSeconds).toBeGreaterThan(0)
    expect((await state()).requests).toEqual([expect.objectContaining({ status: 419 })])
  })
})

describe('Wemalo cancellation (WM3)', () => {
  it('WM3: an open goods order is cancelled with PUT /goodsOrder/cancel/:id', async () => {
    const { context, sim, state } = await wemaloAccount()
    const { reference: goodsOrderId } = await wemalo.handOver(
      context,
      handoverOrder(),
      { attempt: 1, details: {} },
      memorySteps()
    )
    const outcome = await wemalo.cancel(context, reference('ord_wm_1', { reference: goodsOrderId }))
    expect(outcome).toMatchObject({ result: 'cancelled' })
    expect((await sim('/_sim/goodsOrders/ord_wm_1')).statusName).toBe('CANCELLED')
    const { requests, violations } = await state()
    expect(requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/v1/goodsOrder/cancel/ord_wm_1',
      body: { reason: expect.any(String) },
    })
    expect(violations).toEqual([])
  })

  it('WM3: once picking started Wemalo refuses, and that is reported as refused with its message', async () => {
    const { context, sim } = await wemaloAccount()
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    await sim('/_sim/goodsOrders/ord_wm_1/status', { statusName: 'INPICKING' })
    const outcome = await wemalo.cancel(context, reference('ord_wm_1', { reference: '1' }))
    expect(outcome).toEqual({ result: 'refused', message: expect.stringContaining('picking has started') })
    expect((await sim('/_sim/goodsOrders/ord_wm_1')).statusName).toBe('INPICKING')
  })

  it('WM3: without a reference, an order Wemalo never got needs no cancelling; a repeat of a done cancel is done', async () => {
    const { context, state } = await wemaloAccount()
    expect(await wemalo.cancel(context, reference('ord_never', { state: 'pending' }))).toMatchObject({
      result: 'cancelled',
    })
    expect((await state()).requests.map((request: any) => request.path)).toEqual(['/v1/goodsOrder/getStatus/ord_never'])
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    // The reference was lost (pending hand-over), yet the goods order exists: it is cancelled.
    expect(await wemalo.cancel(context, reference('ord_wm_1', { state: 'pending' }))).toMatchObject({
      result: 'cancelled',
    })
    expect(await wemalo.cancel(context, reference('ord_wm_1'))).toMatchObject({ result: 'cancelled' })
  })
})

describe('Wemalo changes after the hand-over', () => {
  it('WM1: a corrected address goes on with updateMeta while the goods order is PARTIAL or OPEN', async () => {
    const { context, sim, state } = await wemaloAccount()
    const handedOver = await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    await sim('/_sim/goodsOrders/ord_wm_1/status', { statusName: 'PARTIAL', reason: 'Adresse unvollständig' })
    const corrected = handoverOrder({
      shippingAddress: { ...handoverOrder().shippingAddress!, street: 'Neue Straße', postcode: '34119' },
    })
    const handover = reference('ord_wm_1', { reference: handedOver.reference, details: handedOver.details ?? {} })
    const outcome = await wemalo.update!(context, corrected, handover, memorySteps())
    expect(outcome).toMatchObject({ result: 'done', detail: expect.stringContaining('receiver') })
    const goodsOrder = await sim('/_sim/goodsOrders/ord_wm_1')
    expect(goodsOrder.body.meta.receiver[0]).toMatchObject({ street: 'Neue Straße', zip: '34119' })
    expect(goodsOrder.statusName).toBe('OPEN')
    expect((await state()).requests.at(-1)).toMatchObject({ method: 'PUT', path: '/v1/goodsOrder/updateMeta/ord_wm_1' })
    expect((await state()).violations).toEqual([])

    // Changed positions are refused with a message, and so is any change once picking started.
    const fewer = handoverOrder({ lines: handoverOrder().lines.slice(0, 1) })
    const positions = await wemalo.update!(context, fewer, handover, memorySteps())
    expect(positions).toMatchObject({ result: 'refused', detail: expect.stringContaining('no position changes') })
    await sim('/_sim/goodsOrders/ord_wm_1/status', { statusName: 'INPROCESS' })
    const late = await wemalo.update!(context, corrected, handover, memorySteps())
    expect(late).toMatchObject({ result: 'refused', detail: expect.stringContaining('INPROCESS') })
  })
})

describe('Wemalo reports (WM2)', () => {
  it('WM2: registers status_update and trackingnumber_added with the keyed URL and token; active and unregister', async () => {
    const { context, sim, state } = await wemaloAccount()
    const ids = await wemalo.webhooks!.register(context, KONTOR_HOOK)
    expect(ids).toEqual(['status_update', 'trackingnumber_added', 'stock_change'])
    const { hooks, violations } = await state()
    expect(violations).toEqual([])
    expect(hooks).toEqual([
      expect.objectContaining({
        event: 'status_update',
        payload: `${KONTOR_HOOK}?key=${WEBHOOK_SECRET}&event=status_update`,
        token: WEBHOOK_SECRET,
        email: 'ops@example.com',
      }),
      expect.objectContaining({
        event: 'trackingnumber_added',
        payload: `${KONTOR_HOOK}?key=${WEBHOOK_SECRET}&event=trackingnumber_added`,
      }),
      expect.objectContaining({
        event: 'stock_change',
        payload: `${KONTOR_HOOK}?key=${WEBHOOK_SECRET}&event=stock_change`,
      }),
    ])
    expect(await wemalo.webhooks!.active(context, ids, KONTOR_HOOK)).toEqual(ids)
    await sim('/_sim/webhooks/drop', { event: 'trackingnumber_added' })
    expect(await wemalo.webhooks!.active(context, ids, KONTOR_HOOK)).toEqual(['status_update', 'stock_change'])
    await wemalo.webhooks!.unregister(context, ids)
    expect((await state()).hooks).toEqual([])
    expect((await state()).violations).toEqual([])

    const { context: manual } = await wemaloAccount({}, { registerWebhooks: false })
    expect(await wemalo.webhooks!.register(manual, KONTOR_HOOK)).toEqual([])
  })

  it('WM2: status_update → getStatus: INPROCESS and INPICKING are processing, CANCELLED cancelled', async () => {
    const { context, sim } = await wemaloAccount()
    await wemalo.webhooks!.register(context, KONTOR_HOOK)
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    const reportsFor = async (statusName: string, reason?: string) => {
      await sim('/_sim/goodsOrders/ord_wm_1/status', { statusName, reason })
      const { deliveries } = await sim('/_sim/callbacks/send', {
        event: 'status_update',
        externalId: 'ord_wm_1',
        deliver: false,
      })
      return wemalo.parseReports!(await inboxEvent(deliveries[0]), context)
    }
    const processing = {
      kind: 'event',
      orderId: 'ord_wm_1',
      reportKey: 'wemalo:processing:ord_wm_1',
      event: expect.objectContaining({ type: 'processing' }),
    }
    expect(await reportsFor('INPROCESS')).toEqual([processing])
    expect(await reportsFor('INPICKING')).toEqual([processing])
    expect(await reportsFor('OPEN')).toEqual([])
    expect(await reportsFor('CANCELLED')).toEqual([
      {
        kind: 'event',
        orderId: 'ord_wm_1',
        reportKey: 'wemalo:cancelled:ord_wm_1',
        event: expect.objectContaining({ type: 'cancelled' }),
      },
    ])
  })

  it('WM2: PARTIAL with its reason → address_error or stock_error with the reason as message', async () => {
    const { context, sim } = await wemaloAccount({ tokenPlace: 'header' })
    await wemalo.webhooks!.register(context, KONTOR_HOOK)
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    const partial = async (reason: string) => {
      await sim('/_sim/goodsOrders/ord_wm_1/status', { statusName: 'PARTIAL', reason })
      const { deliveries } = await sim('/_sim/callbacks/send', {
        event: 'status_update',
        externalId: 'ord_wm_1',
        deliver: false,
      })
      expect(deliveries[0].headers.token).toBe(WEBHOOK_SECRET)
      return wemalo.parseReports!(await inboxEvent(deliveries[0]), context)
    }
    expect(await partial('Adresse unvollständig: PLZ fehlt')).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({ type: 'address_error', message: 'Adresse unvollständig: PLZ fehlt' }),
      }),
    ])
    expect(await partial('Artikel COASTER nicht verfügbar')).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({ type: 'stock_error', message: 'Artikel COASTER nicht verfügbar' }),
      }),
    ])
    expect(await partial('')).toEqual([])
  })

  it('WM2: SHIPPED → shipped with tracking number and carrier from the parcel; trackingnumber_added gives the same report', async () => {
    const { context, sim, state } = await wemaloAccount()
    await wemalo.webhooks!.register(context, KONTOR_HOOK)
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    const { parcelId } = await sim('/_sim/goodsOrders/ord_wm_1/ship', {
      trackingNumber: '00340434161094042557',
      carrier: 'DHL',
    })
    const status = await sim('/_sim/callbacks/send', { event: 'status_update', externalId: 'ord_wm_1', deliver: false })
    const shipped = await wemalo.parseReports!(await inboxEvent(status.deliveries[0]), context)
    const expected = {
      kind: 'event',
      orderId: 'ord_wm_1',
      reportKey: 'wemalo:shipped:ord_wm_1:00340434161094042557',
      event: { type: 'shipped', tracking: [{ number: '00340434161094042557', carrier: 'DHL' }] },
    }
    expect(shipped).toEqual([expected])
    const tracking = await sim('/_sim/callbacks/send', { event: 'trackingnumber_added', parcelId, deliver: false })
    expect(await wemalo.parseReports!(await inboxEvent(tracking.deliveries[0]), context)).toEqual([expected])
    const paths = (await state()).requests.map((request: any) => request.path)
    expect(paths).toContain(`/v1/goodsOrder/package/${parcelId}/trackingNumber`)
    expect((await state()).violations).toEqual([])
  })

  it('issue 16: an unreadable packages answer is an error to retry, never a shipped report without tracking', async () => {
    const { context, sim } = await wemaloAccount()
    await wemalo.webhooks!.register(context, KONTOR_HOOK)
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    await sim('/_sim/goodsOrders/ord_wm_1/ship', { trackingNumber: 'TRACK-9', carrier: 'DHL' })
    const status = await sim('/_sim/callbacks/send', { event: 'status_update', externalId: 'ord_wm_1', deliver: false })
    await sim('/_sim/faults', { path: '/goodsOrder/packages', mode: 'unreadable', times: 1 })
    const error = await wemalo.parseReports!(await inboxEvent(status.deliveries[0]), context).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(String(error)).toMatch(/unreadable answer/)
    // Read again once Wemalo answers properly: shipped with its tracking number.
    const shipped = await wemalo.parseReports!(await inboxEvent(status.deliveries[0]), context)
    expect(shipped).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({ tracking: [{ number: 'TRACK-9', carrier: 'DHL' }] }),
      }),
    ])
  })

  it('WM2: the poll reads sent packages, reports them shipped and acknowledges each booking', async () => {
    const { context, sim, state } = await wemaloAccount({ pageSize: 2 })
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    await wemalo.handOver(
      context,
      handoverOrder({ id: 'ord_wm_2', number: 'BB-9002' }),
      { attempt: 1, details: {} },
      memorySteps()
    )
    await sim('/_sim/goodsOrders/ord_wm_1/ship', { trackingNumber: 'TRACK-1', carrier: 'DHL' })
    await sim('/_sim/goodsOrders/ord_wm_2/ship', { trackingNumber: 'TRACK-2', carrier: 'DPD' })
    // A goods order another integration (a shop plugin) put into the same account, shipped too.
    await wemalo.handOver(context, handoverOrder({ id: 'WC-1234' }), { attempt: 1, details: {} }, memorySteps())
    await sim('/_sim/goodsOrders/WC-1234/ship', { trackingNumber: 'TRACK-WC', carrier: 'DHL' })
    // Three positions each → 9 bookings over 5 pages; one report per tracking number of Kontor's orders.
    const poll = await wemalo.pollReports!(context, [])
    expect(poll.reports).toEqual([
      {
        kind: 'event',
        orderId: 'ord_wm_1',
        reportKey: 'wemalo:shipped:ord_wm_1:TRACK-1',
        event: { type: 'shipped', tracking: [{ number: 'TRACK-1', carrier: 'DHL' }] },
      },
      {
        kind: 'event',
        orderId: 'ord_wm_2',
        reportKey: 'wemalo:shipped:ord_wm_2:TRACK-2',
        event: { type: 'shipped', tracking: [{ number: 'TRACK-2', carrier: 'DPD' }] },
      },
    ])
    expect((await state()).bookings.every((booking: any) => booking.synchedAt === null)).toBe(true)
    await poll.acknowledge!()
    const { bookings: all, requests, violations } = await state()
    const bookings = all.filter((booking: any) => booking.externalGoodsOrderId !== 'WC-1234')
    expect(bookings).toHaveLength(6)
    expect(bookings.every((booking: any) => booking.synchedAt !== null)).toBe(true)
    // The other integration's bookings are left unsynchronised for it.
    const foreign = all.filter((booking: any) => booking.externalGoodsOrderId === 'WC-1234')
    expect(foreign).toHaveLength(3)
    expect(foreign.every((booking: any) => booking.synchedAt === null)).toBe(true)
    expect(
      requests.filter(
        (request: any) => request.method === 'PUT' && request.path.startsWith('/v1/goodsOrder/packages/sent/')
      )
    ).toHaveLength(6)
    expect(violations).toEqual([])
    const next = await wemalo.pollReports!(context, [])
    expect(next.reports).toEqual([])
    expect(next.acknowledge).toBeUndefined()
    expect((await state()).violations).toEqual([])
  })

  it('WM2: the poll asks getStatus about hand-overs open longer than openAfterMinutes, and confirms a lost one', async () => {
    const { context, sim, state } = await wemaloAccount({}, { openAfterMinutes: 60 })
    await wemalo.handOver(context, handoverOrder(), { attempt: 1, details: {} }, memorySteps())
    await sim('/_sim/goodsOrders/ord_wm_1/status', { statusName: 'INPROCESS' })
    const now = context.now().getTime()
    const old = new Date(now - 61 * 60_000).toISOString()
    const fresh = new Date(now - 5 * 60_000).toISOString()
    const poll = await wemalo.pollReports!(context, [
      reference('ord_wm_1', { state: 'pending', createdAt: old, updatedAt: old }),
      reference('ord_fresh', { createdAt: fresh, updatedAt: fresh }),
      reference('ord_unknown', { createdAt: old, updatedAt: old }),
    ])
    const goodsOrder = await sim('/_sim/goodsOrders/ord_wm_1')
    expect(poll.reports).toEqual([
      expect.objectContaining({ kind: 'confirmed', orderId: 'ord_wm_1', reference: String(goodsOrder.id) }),
      expect.objectContaining({
        kind: 'event',
        orderId: 'ord_wm_1',
        event: expect.objectContaining({ type: 'processing' }),
      }),
    ])
    const asked = (await state()).requests
      .map((request: any) => request.path)
      .filter((path: string) => path.includes('getStatus'))
    expect(asked).not.toContain('/v1/goodsOrder/getStatus/ord_fresh')
    expect(asked).toContain('/v1/goodsOrder/getStatus/ord_unknown')
  })
})
