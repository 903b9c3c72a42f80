import { describe, expect, it } from 'vitest'
import { shopifyOrderToCanonical, shopifyBackfillExclusion } from '../../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../../src/connectors/shopify/schemas'
import { backfillWindow } from '../../../src/connectors/shopify/fetch-page'
import { parseJsonLosslessly } from '../../../src/core/json'
import fixture from '../../fixtures/shopify/orders-list-status-any.rest-2025-10.json'
import cancelledRefunded from '../../fixtures/shopify/order-cancelled-refunded.webhook-2025-10.json'

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

describe('Shopify lines of cancelled, refunded and edited orders (G3, P6)', () => {
  const cancelledFixture = () =>
    shopifyOrderSchema.parse(structuredClone(cancelledRefunded as unknown as Record<string, unknown>))
  const sum = (values: string[]) => values.reduce((total, value) => total + Math.round(Number(value) * 100), 0) / 100

  it('a cancelled order whose every current_quantity is 0 keeps its lines as ordered, with the ordered total', () => {
    const order = shopifyOrderToCanonical(cancelledFixture())
    expect(order.status).toBe('cancelled')
    expect(order.lines.map((line) => [line.product.sku, line.quantity, line.unitPrice, line.total])).toEqual([
      ['IPOD2008GREEN', 1, '199.00', '199.00'],
      ['IPOD2008RED', 1, '199.00', '199.00'],
      ['IPOD2008BLACK', 1, '199.00', '199.00'],
    ])
    expect(order.total).toBe('598.94')
  })

  it('records what was refunded or removed beside the ordered quantity', () => {
    const order = shopifyOrderToCanonical(cancelledFixture())
    expect(order.lines.map((line) => line.currentQuantity)).toEqual([0, 0, 0])
  })

  it('a partial refund keeps every line as ordered and marks the refunded ones', () => {
    // The REST reference order: two of three lines refunded (refund_line_items), financial_status partially_refunded.
    const raw = fixtureOrder()
    const order = shopifyOrderToCanonical(raw)
    expect(order.lines).toHaveLength(3)
    expect(order.lines.map((line) => [line.externalId, line.quantity, line.currentQuantity])).toEqual([
      ['466157049', 1, 0],
      ['518995019', 1, 1],
      ['703073504', 1, 0],
    ])
    // Ordered figures throughout: line totals add up to total_line_items_price, the order total is total_price.
    const { total_line_items_price } = (fixture as { orders: { total_line_items_price: string }[] }).orders[0]
    expect(sum(order.lines.map((line) => line.total))).toBe(Number(total_line_items_price))
    expect(order.total).toBe(raw.total_price)
  })

  it('without current_quantity (a trimmed payload) the refunded units come from refunds[].refund_line_items', () => {
    const raw = fixtureOrder()
    for (const line of raw.line_items) line.current_quantity = undefined
    const order = shopifyOrderToCanonical(raw)
    expect(order.lines.map((line) => line.currentQuantity)).toEqual([0, 1, 0])
    const none = shopifyOrderToCanonical({ ...raw, refunds: [] })
    expect(none.lines.map((line) => line.currentQuantity)).toEqual([null, null, null])
  })

  it('a line an order edit removed (current_quantity 0, no refund) stays, with its ordered quantity', () => {
    const raw = { ...fixtureOrder(), refunds: [] }
    raw.line_items = raw.line_items.map((line, index) => ({
      ...line,
      quantity: 2,
      current_quantity: index === 0 ? 0 : 2,
    }))
    const order = shopifyOrderToCanonical(raw)
    expect(order.lines.map((line) => [line.quantity, line.currentQuantity, line.total])).toEqual([
      [2, 0, '398.00'],
      [2, 2, '398.00'],
      [2, 2, '398.00'],
    ])
  })
})
