import { describe, expect, it } from 'vitest'
import { shopifyOrderToCanonical, shopifyBackfillExclusion } from '../../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../../src/connectors/shopify/schemas'
import { backfillWindow } from '../../../src/connectors/shopify/fetch-page'
import { parseJsonLosslessly } from '../../../src/core/json'
import fixture from '../../fixtures/shopify/orders-list-status-any.rest-2025-10.json'

const fixtureOrder = () => shopifyOrderSchema.parse(structuredClone((fixture as { orders: unknown[] }).orders[0]))

describe('Shopify order mapping', () => {
  it('maps the REST fixture into the canonical order (G3 fields)', () => {
    const order = shopifyOrderToCanonical(fixtureOrder())
    expect(order).toMatchObject({
      externalId: '450789469',
      number: '#1001',
      currency: 'USD',
      createdAt: '2008-01-10T16:00:00.000Z',
      total: '598.94',
      customer: { firstName: 'Bob', lastName: 'Norman', email: 'bob.norman@mail.example.com' },
    })
    expect(order.lines.length).toBeGreaterThan(0)
    for (const line of order.lines) expect(line.unitPrice).toMatch(/^\d+\.\d{2}$/)
  })

  it('SH4: SKU becomes sku, the product id becomes code', () => {
    const raw = fixtureOrder()
    const order = shopifyOrderToCanonical(raw)
    for (const line of order.lines) {
      const source = raw.line_items.find((item) => item.id === line.externalId)!
      expect(line.product.sku).toBe(source.sku)
      expect(line.product.code).toBe(source.product_id)
    }
  })

  it("SH5: the customer's address is imported too", () => {
    const order = shopifyOrderToCanonical(fixtureOrder())
    expect(order.customer?.address).toMatchObject({ street: expect.any(String), city: expect.any(String) })
  })

  it('SH6: a payload without customer data (Basic plan) has no customer', () => {
    const raw = { ...fixtureOrder(), customer: null, email: null, phone: null }
    expect(shopifyOrderToCanonical(raw).customer).toBeNull()
  })

  it('keeps a 20-digit id exactly when parsed losslessly', () => {
    const text = JSON.stringify((fixture as { orders: unknown[] }).orders[0]).replace(
      '"id":450789469',
      '"id":12345678901234567890'
    )
    const order = shopifyOrderToCanonical(shopifyOrderSchema.parse(parseJsonLosslessly(text)))
    expect(order.externalId).toBe('12345678901234567890')
  })

  it('DL1: delivery details come from the shipping lines', () => {
    const order = shopifyOrderToCanonical(fixtureOrder())
    expect(order.delivery).toMatchObject({ carrier: expect.any(String), cost: expect.stringMatching(/^\d+\.\d{2}$/) })
  })

  it('SH1: fulfilled, cancelled and refunded orders are left out of the backfill, over at most 60 days', () => {
    const raw = fixtureOrder()
    expect(shopifyBackfillExclusion({ ...raw, fulfillment_status: 'fulfilled' })).toBe('fulfilled')
    expect(shopifyBackfillExclusion({ ...raw, cancelled_at: '2026-01-01T00:00:00Z' })).toBe('cancelled')
    expect(shopifyBackfillExclusion({ ...raw, financial_status: 'refunded', fulfillment_status: null })).toBe(
      'refunded'
    )
    expect(
      shopifyBackfillExclusion({ ...raw, financial_status: 'paid', fulfillment_status: null, cancelled_at: null })
    ).toBeNull()
    const window = backfillWindow(new Date('2026-11-22T00:00:00Z'))
    expect(window.clamped).toBe(true)
    expect(window.from.toISOString()).toBe('2026-09-23T00:00:00.000Z')
  })
})
