/**
 * RT1 in pieces: Wemalo's stock_change callback as a signal to read returns, the booked returns
 * read from the simulator (paged) and acknowledged, and the pure line matching and status rule.
 */
import { describe, expect, it } from 'vitest'
import { wemaloConnector } from '../../../src/connectors/wemalo'
import { toReturnBooking, wemaloReturns } from '../../../src/connectors/wemalo/returns'
import { wemaloReturnBookingSchema } from '../../../src/connectors/wemalo/schemas'
import { readStockChange } from '../../../src/connectors/wemalo/stock-change'
import { verifyWemaloWebhook, wemaloEventUrl } from '../../../src/connectors/wemalo/webhook'
import { returnNote } from '../../../src/core/returns'
import {
  fullyReturned,
  returnedLinesOf,
  returnedQuantities,
  withReturnedLines,
} from '../../../src/returns/returned-lines'
import { WEBHOOK_SECRET, wemaloAccount } from './support'

const credentials = { token: 'jwt', webhookSecret: WEBHOOK_SECRET }
const BASE = 'https://kontor.test/webhooks/wemalo/con_1'

function request(body: string, url = wemaloEventUrl(BASE, credentials, 'stock_change')) {
  return {
    method: 'POST',
    url,
    headers: new Headers({ 'content-type': 'application/json' }),
    body: new TextEncoder().encode(body),
  }
}

const line = (id: string, sku: string, quantity: number, currentQuantity: number | null = null) => ({
  id,
  sku,
  code: null,
  name: `Item ${sku}`,
  quantity,
  currentQuantity,
})

describe('Wemalo returns (RT1)', () => {
  it('RT1: a stock_change of type RETURNSHIPMENT is accepted, each delivery under its own key, and asks for the returns to be read', async () => {
    const body = `{"type":"RETURNSHIPMENT","orderId":4711,"externalId":"RET-1","token":"${WEBHOOK_SECRET}"}`
    const first = await verifyWemaloWebhook(request(body), credentials)
    const second = await verifyWemaloWebhook(request(body), credentials)
    expect(first).toMatchObject({ kind: 'accepted', topic: 'stock_change' })
    // Two bookings of one return send the same bytes: neither may be taken for a duplicate.
    if (first.kind === 'accepted' && second.kind === 'accepted') expect(first.deliveryKey).not.toBe(second.deliveryKey)
    const context = (await wemaloAccount()).context
    const reports = await wemaloConnector.parseReports!(
      { topic: 'stock_change', body, receivedAt: new Date().toISOString() },
      context
    )
    expect(reports).toEqual([{ kind: 'returns_booked', detail: expect.stringContaining('4711') }])
    const incoming = await wemaloConnector.parseReports!(
      { topic: 'stock_change', body: '{"type":"INCOMING_STOCK","orderId":1}', receivedAt: '' },
      context
    )
    expect(incoming).toEqual([])
  })

  it('RT1: a stock_change is read inside eventData too; without the event in the URL it is ignored; a wrong key is refused', async () => {
    const nested = '{"eventData":{"type":"returnshipment","orderId":5,"externalId":"R"}}'
    expect(await verifyWemaloWebhook(request(nested), credentials)).toMatchObject({
      kind: 'accepted',
      topic: 'stock_change',
      deliveryKey: expect.stringMatching(/^stock_change\|RETURNSHIPMENT\|5\|/),
    })
    const unnamed = request(nested, `${BASE}?key=${WEBHOOK_SECRET}`)
    expect(await verifyWemaloWebhook(unnamed, credentials)).toMatchObject({ kind: 'ignored' })
    expect(readStockChange({ 'eventData[type]': 'RETURNSHIPMENT', 'eventData[orderId]': '9' })).toEqual({
      type: 'RETURNSHIPMENT',
      orderId: '9',
      externalId: null,
    })
    const wrongKey = request('{"type":"RETURNSHIPMENT"}', `${BASE}?key=wrong&event=stock_change`)
    expect(await verifyWemaloWebhook(wrongKey, credentials)).toMatchObject({ kind: 'unauthorized' })
  })

  it('RT1: the booked returns are read page by page and each acknowledged on its own', async () => {
    const { context, sim } = await wemaloAccount({ pageSize: 2 })
    await sim('/_sim/returns', {
      goodsOrderExternalId: 'ord_1',
      items: [{ externalId: 'A', quantity: 2 }, { externalId: 'B' }, { externalId: 'C', reasonCode: 'defect' }],
      reasonCode: 'damaged',
    })
    const bookings = await wemaloReturns.booked(context)
    expect(bookings.map((booking) => [booking.sku, booking.quantity, booking.reason])).toEqual([
      ['A', 2, 'damaged'],
      ['B', 1, 'damaged'],
      ['C', 1, 'defect'],
    ])
    expect(bookings[0]).toMatchObject({ goodsOrderExternalId: 'ord_1', resaleable: true, returnId: expect.any(String) })
    await wemaloReturns.acknowledge(context, bookings[0].bookingId)
    // Acknowledging an entry Wemalo no longer has is no error: there is nothing left to flag.
    await wemaloReturns.acknowledge(context, '999999')
    expect((await wemaloReturns.booked(context)).map((booking) => booking.sku)).toEqual(['B', 'C'])
    const state = await sim('/_sim/state')
    expect(state.violations).toEqual([])
    expect(state.requests.filter((entry: any) => entry.path === '/v1/returns/booked').map((e: any) => e.query)).toEqual(
      [{}, { page: '1' }, {}]
    )
  })

  it('RT1: a booking as the apidoc lists it (no quantity) counts one item', () => {
    const booking = wemaloReturnBookingSchema.parse({
      externalProductId: 'ext id',
      productId: 4711,
      id: 8219212,
      bookingDate: '14.05.2017 19:26:55',
      attributeCode: '1. choice',
      attributeDefault: true,
      reasonCode: 'damaged',
    })
    expect(toReturnBooking(booking)).toMatchObject({
      bookingId: '8219212',
      sku: 'ext id',
      quantity: 1,
      reason: 'damaged',
    })
  })

  it('RT1: a returned item fills the lines with its SKU that are not yet back; an unknown SKU is kept without a line', () => {
    const lines = [line('l1', 'MUG', 2), line('l2', 'MUG', 1), line('l3', 'TEA', 1, 0)]
    const first = returnedLinesOf(lines, new Map(), { sku: 'MUG', name: null, quantity: 3 })
    expect(first.map((entry) => [entry.lineId, entry.quantity])).toEqual([
      ['l1', 2],
      ['l2', 1],
    ])
    const soFar = returnedQuantities(lines, [[{ lineId: 'l1', sku: 'MUG', name: null, quantity: 2 }]])
    expect(returnedLinesOf(lines, soFar, { sku: 'MUG', name: null, quantity: 1 })).toEqual([
      { lineId: 'l2', sku: 'MUG', name: 'Item MUG', quantity: 1 },
    ])
    expect(returnedLinesOf(lines, soFar, { sku: 'CUP', name: 'Cup', quantity: 1 })).toEqual([
      { lineId: null, sku: 'CUP', name: 'Cup', quantity: 1 },
    ])
    // A line refunded to nothing (currentQuantity 0) is not waited for.
    expect(fullyReturned(lines, returnedQuantities(lines, [first]))).toBe(true)
    expect(fullyReturned(lines, soFar)).toBe(false)
  })

  it('RT1, RT2: a reported return names its lines by id, SKU and name; the note names lines and reason', () => {
    const lines = [line('l1', 'MUG', 2)]
    const event = withReturnedLines(
      { type: 'returned', data: { lines: [{ sku: 'MUG', quantity: 1 }], reason: 'late' } },
      lines
    )
    expect(event.data?.lines).toEqual([{ lineId: 'l1', sku: 'MUG', name: 'Item MUG', quantity: 1 }])
    expect(returnNote({ data: { ...event.data, warehouse: 'wemalo', bookingId: '77' } })).toBe(
      'Returned to Wemalo: 1 × MUG (Item MUG) (reason: late, booking 77)'
    )
    expect(returnNote({ data: null })).toBe('Returned to the warehouse: the whole order (no reason given)')
  })
})
