import { describe, expect, it } from 'vitest'
import {
  customerEmail,
  describeLinesWithoutOffer,
  lineExternalSystemId,
  planPlenigoImport,
  plenigoCustomerCreation,
  plenigoDateTime,
  plenigoPaymentMethod,
} from '../../../src/connectors/plenigo/mapper'
import { plenigoSettingsSchema } from '../../../src/connectors/plenigo/schemas'
import { shopifyOrderToCanonical } from '../../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../../src/connectors/shopify/schemas'
import { FinalError } from '../../../src/core/errors'
import { defaultSettings, handoverOrder, line, OFFER_A, OFFER_B } from './support'

const settings = plenigoSettingsSchema.parse(defaultSettings)

describe('plenigo mapping (pure)', () => {
  it('PL1, PL3: one import item per line with an offer, with the fields plenigo requires', () => {
    const order = handoverOrder({
      id: 'ord_1',
      paymentMethod: 'paypal',
      lines: [line('ord_1', 0, 'ABO-DIGITAL', 'Digital', 1), line('ord_1', 1, 'ABO-PRINT', 'Print', 3)],
    })
    const plan = planPlenigoImport(order, settings)
    expect(plan.items).toEqual([
      {
        externalSystemId: 'ord_1:0',
        plenigoOfferId: OFFER_A,
        quantity: 1,
        startDate: '2026-11-20T09:15:00Z',
        paymentMethod: 'PAYPAL',
      },
      {
        externalSystemId: 'ord_1:1',
        plenigoOfferId: OFFER_B,
        quantity: 3,
        startDate: '2026-11-20T09:15:00Z',
        paymentMethod: 'PAYPAL',
      },
    ])
    expect(plan.linesWithoutOffer).toEqual([])
  })

  it('PL3: a line without an offer is reported, not dropped in silence', () => {
    const order = handoverOrder({ id: 'ord_2' })
    const plan = planPlenigoImport(order, settings)
    expect(plan.items.map((item) => item.externalSystemId)).toEqual(['ord_2:0', 'ord_2:1'])
    expect(plan.linesWithoutOffer).toEqual([{ lineId: 'ord_2:2', sku: 'MUG-1', name: 'Kaffeebecher' }])
  })

  it('PL3: a line with an offer but nothing left (refunded) is reported and left out; none left is refused', () => {
    const order = handoverOrder({
      id: 'ord_4',
      lines: [line('ord_4', 0, 'ABO-DIGITAL', 'Digital', 1), line('ord_4', 1, 'ABO-PRINT', 'Print', 0)],
    })
    const plan = planPlenigoImport(order, settings)
    expect(plan.items.map((item) => item.externalSystemId)).toEqual(['ord_4:0'])
    expect(plan.linesWithoutQuantity).toEqual([{ lineId: 'ord_4:1', sku: 'ABO-PRINT', name: 'Print' }])
    expect(describeLinesWithoutOffer(plan.linesWithoutOffer, plan.linesWithoutQuantity)).toBe(
      '1 line(s) with nothing left (refunded or removed), not imported: ABO-PRINT (Print)'
    )
    const refunded = handoverOrder({ id: 'ord_5', lines: [line('ord_5', 0, 'ABO-PRINT', 'Print', 0)] })
    expect(() => planPlenigoImport(refunded, settings)).toThrow(/no line with a plenigo offer has a quantity left/)
  })

  it('PL3: an order with no line that has an offer is refused for good', () => {
    const order = handoverOrder({
      id: 'ord_3',
      lines: [line('ord_3', 0, 'MUG-1', 'Becher', 1), line('ord_3', 1, null, 'Gutschein', 1)],
    })
    expect(() => planPlenigoImport(order, settings)).toThrow(FinalError)
    expect(() => planPlenigoImport(order, settings)).toThrow(/no line has a plenigo offer.*MUG-1.*no SKU: Gutschein/)
  })

  it('PL3: payment methods map by name (case aside), the rest by default; unmapped without default is refused', () => {
    expect(plenigoPaymentMethod('paypal', settings.paymentMethodMap)).toBe('PAYPAL')
    expect(plenigoPaymentMethod('PayPal', settings.paymentMethodMap)).toBe('PAYPAL')
    expect(plenigoPaymentMethod('Shopify_Payments', settings.paymentMethodMap)).toBe('CREDIT_CARD')
    expect(plenigoPaymentMethod('manual', settings.paymentMethodMap)).toBe('BILLING')
    expect(plenigoPaymentMethod(null, settings.paymentMethodMap)).toBe('BILLING')
    const noDefault = { paypal: 'PAYPAL' as const }
    expect(() => plenigoPaymentMethod('manual', noDefault)).toThrow(FinalError)
    expect(() => plenigoPaymentMethod('manual', noDefault)).toThrow(
      /payment method "manual" has no plenigo payment method/
    )
    expect(() => plenigoPaymentMethod(null, noDefault)).toThrow(/no payment method.*no "default"/)
    const order = handoverOrder({ paymentMethod: 'klarna' })
    expect(() =>
      planPlenigoImport(order, plenigoSettingsSchema.parse({ ...defaultSettings, paymentMethodMap: noDefault }))
    ).toThrow(/klarna/)
  })

  it('PL3: settings check the offer ids (20 characters) and payment methods (plenigo enum)', () => {
    expect(plenigoSettingsSchema.safeParse({ offerMap: { X: 'O_SHORT' } }).success).toBe(false)
    expect(plenigoSettingsSchema.safeParse({ paymentMethodMap: { default: 'CASH' } }).success).toBe(false)
    const parsed = plenigoSettingsSchema.parse({})
    expect(parsed).toEqual({ offerMap: {}, paymentMethodMap: {}, language: 'de', pollMinutes: 5 })
  })

  it('PL3: startDate is RFC 3339; externalSystemId is the order id and the line', () => {
    expect(plenigoDateTime('2026-11-20T10:15:00+01:00')).toBe('2026-11-20T09:15:00Z')
    expect(() => plenigoDateTime('yesterday')).toThrow(FinalError)
    expect(lineExternalSystemId({ id: 'ord_9' }, { id: 'ord_9:4' })).toBe('ord_9:4')
    expect(lineExternalSystemId({ id: 'ord_9' }, { id: 'line_x' })).toBe('ord_9:line_x')
  })

  it('PL2: the customer is created with email, language and names; no email is refused', () => {
    const order = handoverOrder({
      customer: { firstName: 'Jana', lastName: null, email: ' jana@example.com ', phone: null },
    })
    expect(plenigoCustomerCreation(order, settings)).toEqual({
      email: 'jana@example.com',
      language: 'de',
      firstName: 'Jana',
    })
    expect(() => customerEmail(handoverOrder({ customer: null }))).toThrow(/no customer email/)
  })

  it('PL3: Shopify orders carry their payment gateway as the payment method', () => {
    const base = { id: 1, created_at: '2026-11-20T09:15:00Z', currency: 'EUR', line_items: [], shipping_lines: [] }
    const withGateways = shopifyOrderSchema.parse({ ...base, payment_gateway_names: ['', 'paypal', 'manual'] })
    expect(shopifyOrderToCanonical(withGateways).paymentMethod).toBe('paypal')
    expect(
      shopifyOrderToCanonical(shopifyOrderSchema.parse({ ...base, gateway: 'shopify_payments' })).paymentMethod
    ).toBe('shopify_payments')
    expect(shopifyOrderToCanonical(shopifyOrderSchema.parse(base)).paymentMethod).toBeNull()
  })
})
