import { describe, expect, it } from 'vitest'
import { categoryTree, chooseWooCategory } from '../../../src/connectors/woocommerce/categories'
import {
  WOO_BACKFILL_EXCLUDED,
  wooOrderRejection,
  wooOrderToCanonical,
  wooProductToCanonical,
} from '../../../src/connectors/woocommerce/mapper'
import { wooCategorySchema, wooOrderSchema, wooProductSchema } from '../../../src/connectors/woocommerce/schemas'
import categoriesFixture from '../../fixtures/woocommerce/product-categories-list-response.json'
import ordersFixture from '../../fixtures/woocommerce/orders-list-response.json'
import productFixture from '../../fixtures/woocommerce/product-variable-create-response.json'

const fixtureOrder = (overrides: Record<string, unknown> = {}) =>
  wooOrderSchema.parse({ ...structuredClone((ordersFixture as unknown[])[0] as object), ...overrides })
const tree = categoryTree((categoriesFixture as unknown[]).map((category) => wooCategorySchema.parse(category)))

describe('WooCommerce mapping and rules', () => {
  it('maps the documented order 727 (G3 fields, GMT dates)', () => {
    const order = wooOrderToCanonical(fixtureOrder())
    expect(order).toMatchObject({
      externalId: '727',
      number: '727',
      currency: 'USD',
      total: '29.35',
      platformStatus: 'processing',
    })
    expect(order.createdAt).toBe('2017-03-22T19:28:02.000Z')
    expect(order.lines[0]).toMatchObject({ quantity: 2, unitPrice: '3.00', total: '6.00' })
  })

  it('WC4: delivery information is not imported', () => {
    expect(wooOrderToCanonical(fixtureOrder()).delivery).toBeNull()
  })

  it('WC5: SKU becomes sku, the product id becomes code', () => {
    const raw = fixtureOrder()
    const order = wooOrderToCanonical(raw)
    expect(order.lines.map((line) => [line.product.sku, line.product.code])).toEqual(
      raw.line_items.map((line) => [line.sku || null, line.product_id])
    )
  })

  it('WC9: the phone comes from shipping, else billing', () => {
    const raw = fixtureOrder()
    expect(wooOrderToCanonical(raw).customer?.phone).toBe('(555) 555-5555')
    const withShippingPhone = fixtureOrder({ shipping: { ...raw.shipping, phone: '+49 170 1' } })
    expect(wooOrderToCanonical(withShippingPhone).customer?.phone).toBe('+49 170 1')
  })

  it('WC2: an order without products, or without a customer, is rejected', () => {
    expect(wooOrderRejection(fixtureOrder({ line_items: [] }))).toMatchObject({ result: 'rejected', rule: 'WC2' })
    const nobody = { first_name: '', last_name: '', email: '', phone: '' }
    expect(wooOrderRejection(fixtureOrder({ billing: nobody, shipping: nobody }))).toMatchObject({ rule: 'WC2' })
  })

  it('WC10: a customer with neither email nor phone means no import', () => {
    const raw = fixtureOrder()
    const anonymous = fixtureOrder({
      billing: { ...raw.billing, email: '', phone: '' },
      shipping: { ...raw.shipping, phone: '' },
    })
    expect(wooOrderRejection(anonymous)).toMatchObject({ result: 'rejected', rule: 'WC10' })
  })

  it('checkout drafts are never imported', () => {
    expect(wooOrderRejection(fixtureOrder({ status: 'checkout-draft' }))).toMatchObject({ result: 'skipped' })
  })

  it('WC1: the initial import leaves out completed, cancelled, refunded, failed and trash', () => {
    expect(WOO_BACKFILL_EXCLUDED.sort()).toEqual(['cancelled', 'completed', 'failed', 'refunded', 'trash'])
  })

  it("WC6: among the product's categories the one highest in the tree wins", () => {
    // Clothing (9) is a root, T-shirts (14) sits under it.
    expect(
      chooseWooCategory(
        [
          { id: '14', name: 'T-shirts' },
          { id: '9', name: 'Clothing' },
        ],
        tree
      )
    ).toEqual({ id: '9', name: 'Clothing' })
  })

  it('WC7: on a tie the alphabetically first wins', () => {
    expect(
      chooseWooCategory(
        [
          { id: '11', name: 'Music' },
          { id: '9', name: 'Clothing' },
        ],
        tree
      )
    ).toEqual({ id: '9', name: 'Clothing' })
  })

  it('WC8: never an ancestor the product is not assigned to', () => {
    // Albums (15) sits under Music (11); Music is not assigned, so Albums it is.
    expect(chooseWooCategory([{ id: '15', name: 'Albums' }], tree)).toEqual({ id: '15', name: 'Albums' })
    const product = wooProductToCanonical(wooProductSchema.parse(productFixture), tree)
    expect(product.category?.name).toBe('Clothing')
    expect(product).toMatchObject({ code: '799', sku: null })
  })
})
