import { describe, expect, it } from 'vitest'
import { FinalError } from '../../../src/core/errors'
import { includedTaxCents, toCents, toWemaloGoodsOrder, wemaloReceiver } from '../../../src/connectors/wemalo/mapper'
import { OPEN_CHECKS_PER_POLL, partialEventType, rotation } from '../../../src/connectors/wemalo/reports'
import { wemaloSettingsSchema } from '../../../src/connectors/wemalo/schemas'
import { handoverOrder } from './support'

describe('Wemalo goods order mapping (WM1)', () => {
  it('WM1: meta.externalId is the Kontor order id, orderNumber the platform number, matched by SKU', () => {
    const goodsOrder = toWemaloGoodsOrder(handoverOrder(), { dispatcherProfile: 'DHL-EXPRESS' })
    expect(goodsOrder.meta).toMatchObject({
      externalId: 'ord_wm_1',
      orderNumber: 'BB-9001',
      currency: 'EUR',
      total: 53.89,
      externalIdMatch: 'sku',
      dispatcherProfile: 'DHL-EXPRESS',
    })
    expect(toWemaloGoodsOrder(handoverOrder({ currency: 'CHF' }), {}).meta).not.toHaveProperty('total')
    expect(toWemaloGoodsOrder(handoverOrder(), {}).meta).not.toHaveProperty('dispatcherProfile')
  })

  it('WM1: the receiver is the shipping address, with company as name1 and the person as name2', () => {
    expect(wemaloReceiver(handoverOrder())).toEqual({
      primary: true,
      name1: 'Muster GmbH',
      name2: 'Erika Musterfrau',
      street: 'Lieferstraße',
      streetNumber: '7a',
      addressAddition: '3. OG',
      countryCode2Letter: 'DE',
      city: 'Kassel',
      zip: '34117',
      phoneNumber: '+49 561 99',
      email: 'erika@example.com',
    })
  })

  it('WM1: without a shipping address the billing address is the receiver', () => {
    const receiver = wemaloReceiver(handoverOrder({ shippingAddress: null }))
    expect(receiver).toMatchObject({ name1: 'Erika Musterfrau', street: 'Rechnungsweg', zip: '10115', city: 'Berlin' })
    expect(receiver).not.toHaveProperty('name2')
    // An empty shipping address is no address either.
    expect(wemaloReceiver(handoverOrder({ shippingAddress: { street: ' ', city: null } })).city).toBe('Berlin')
  })

  it('WM1: a missing required receiver field is refused as address_error, naming the field', () => {
    const order = handoverOrder({
      shippingAddress: { ...handoverOrder().shippingAddress!, postcode: null, countryCode: 'Germany', country: null },
    })
    let error: unknown
    try {
      toWemaloGoodsOrder(order, {})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(FinalError)
    expect((error as Error).message).toMatch(/^address_error: /)
    expect((error as Error).message).toContain('zip (postcode)')
    expect((error as Error).message).toContain('countryCode2Letter')
    expect(() => toWemaloGoodsOrder(handoverOrder({ shippingAddress: null, billingAddress: null }), {})).toThrow(
      /^address_error: /
    )
    const nameless = handoverOrder({
      shippingAddress: { street: 'Weg 1', postcode: '1', city: 'X', countryCode: 'AT' },
    })
    expect(() => toWemaloGoodsOrder(nameless, {})).toThrow(/^address_error: .*name1/)
  })

  it('WM1/BB6: positions carry totals in integer cents, a bundle goes as its components × quantity', () => {
    const { positions } = toWemaloGoodsOrder(handoverOrder(), {})
    expect(positions).toEqual([
      { externalId: 'MUG-RED', quantity: 2, externalPositionIdentifier: 'line_1', total: 2490 },
      { externalId: 'MUG-BLUE', quantity: 2, externalPositionIdentifier: 'line_2-1' },
      { externalId: 'COASTER', quantity: 8, externalPositionIdentifier: 'line_2-2' },
    ])
    for (const position of positions)
      if (position.total !== undefined) expect(Number.isInteger(position.total)).toBe(true)
    expect(positions.map((position) => position.externalId)).not.toContain('GIFT-SET')
  })

  it('WM1: tax in cents only when the connection has a tax rate', () => {
    const [position] = toWemaloGoodsOrder(handoverOrder(), { taxRate: 19 }).positions
    expect(position).toMatchObject({ total: 2490, tax: 398 })
    expect(includedTaxCents(11900, 19)).toBe(1900)
    expect(includedTaxCents(1000, 0)).toBe(0)
  })

  it('WM1: cents are exact for decimal strings (no float drift)', () => {
    expect(toCents('19.90')).toBe(1990)
    expect(toCents('0.29')).toBe(29)
    expect(toCents('1234567.895')).toBe(123456790)
    expect(toCents('-4.5')).toBe(-450)
    expect(toCents('5')).toBe(500)
  })

  it('WM1: a line without SKU is refused before any call', () => {
    const order = handoverOrder()
    order.lines[0] = { ...order.lines[0], sku: null, code: null }
    expect(() => toWemaloGoodsOrder(order, {})).toThrow(FinalError)
    expect(() => toWemaloGoodsOrder(order, {})).toThrow(/no SKU/)
  })

  it('WM2: a PARTIAL reason about the address is address_error, anything else stock_error', () => {
    expect(partialEventType('Adressdaten unvollständig')).toBe('address_error')
    expect(partialEventType('invalid receiver address: zip missing')).toBe('address_error')
    expect(partialEventType('Artikel MUG-RED nicht ausreichend auf Lager')).toBe('stock_error')
    expect(partialEventType('missing articles')).toBe('stock_error')
  })

  it('WM2: the poll asks about at most 50 open goods orders, unconfirmed first, the rest in turns', () => {
    const settings = wemaloSettingsSchema.parse({})
    const handover = (orderId: string, state: 'pending' | 'confirmed') => ({
      orderId,
      reference: null,
      state,
      details: {},
      createdAt: '2026-11-22T08:00:00.000Z',
      updatedAt: '2026-11-22T08:00:00.000Z',
    })
    const due = [
      ...Array.from({ length: 120 }, (_, index) => handover(`ord_${String(index).padStart(3, '0')}`, 'confirmed')),
      ...['ord_p1', 'ord_p2', 'ord_p3'].map((id) => handover(id, 'pending')),
    ]
    const seen = new Set<string>()
    for (let turn = 0; turn < 3; turn++) {
      const at = new Date(Date.UTC(2026, 10, 22) + turn * settings.pollMinutes * 60_000)
      const picked = rotation({ now: () => at, settings }, due)
      expect(picked).toHaveLength(OPEN_CHECKS_PER_POLL)
      expect(picked.slice(0, 3).map((entry) => entry.orderId)).toEqual(['ord_p1', 'ord_p2', 'ord_p3'])
      for (const entry of picked) seen.add(entry.orderId)
    }
    expect(seen.size).toBe(123)
  })
})
