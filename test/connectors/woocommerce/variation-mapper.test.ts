import { describe, expect, it } from 'vitest'
import { categoryTree } from '../../../src/connectors/woocommerce/categories'
import {
  wooVariationParent,
  wooVariationToCanonical,
  wooOrderToCanonical,
} from '../../../src/connectors/woocommerce/mapper'
import {
  wooCategorySchema,
  wooOrderSchema,
  wooProductSchema,
  wooVariationSchema,
} from '../../../src/connectors/woocommerce/schemas'
import categoriesFixture from '../../fixtures/woocommerce/product-categories-list-response.json'
import productFixture from '../../fixtures/woocommerce/product-variable-create-response.json'
import ordersFixture from '../../fixtures/woocommerce/orders-list-response.json'

const tree = categoryTree((categoriesFixture as unknown[]).map((category) => wooCategorySchema.parse(category)))
// The documented variable product 799 "Ship Your Idea" (Clothing, T-shirts; Color and Size).
const parent = wooVariationParent(wooProductSchema.parse(productFixture), tree)

const variation = (overrides: Record<string, unknown> = {}) =>
  wooVariationSchema.parse({
    id: 732,
    date_modified_gmt: '2017-03-23T00:36:38',
    description: '',
    sku: 'SHIRT-BLK-M',
    global_unique_id: '4006381333900',
    price: '9.00',
    weight: '0.25',
    dimensions: { length: '30', width: '20', height: '2' },
    attributes: [
      { id: 6, name: 'Color', option: 'Black' },
      { id: 0, name: 'Size', option: 'M' },
    ],
    ...overrides,
  })

describe('WooCommerce variation → canonical (WM4)', () => {
  it('WM4: a variation is the article: its own SKU, global_unique_id as EAN, sizes and weight in cm and g; the variable product gives code and category', () => {
    expect(wooVariationToCanonical(variation(), parent, { weightUnit: 'kg', dimensionUnit: 'mm' })).toEqual({
      externalId: '732',
      name: 'Ship Your Idea - Black, M',
      description: null,
      sku: 'SHIRT-BLK-M',
      ean: '4006381333900',
      code: '799',
      category: { externalId: '9', name: 'Clothing' },
      dimensions: { weight: '250', length: '3', width: '2', height: '0.2' },
      type: 'single',
      components: [],
    })
  })

  it("WM4: WooCommerce's own variation name wins; no GTIN means no EAN; no sizes means no dimensions", () => {
    const product = wooVariationToCanonical(
      variation({
        name: 'Ship Your Idea - Schwarz',
        global_unique_id: '',
        weight: '',
        dimensions: { length: '', width: '', height: '' },
      }),
      parent
    )
    expect(product).toMatchObject({ name: 'Ship Your Idea - Schwarz', ean: null, dimensions: null })
  })

  it('WM6: an order line of a variation names the same article (variation id) as the variation read as a product', () => {
    const order = wooOrderSchema.parse({
      ...structuredClone((ordersFixture as unknown[])[0] as object),
      line_items: [
        {
          id: 1,
          name: 'Ship Your Idea - Black, M',
          product_id: 799,
          variation_id: 732,
          quantity: 1,
          sku: 'SHIRT-BLK-M',
          price: 9,
          total: '9.00',
        },
      ],
    })
    const line = wooOrderToCanonical(order).lines[0].product
    const article = wooVariationToCanonical(variation(), parent)
    expect({ externalId: line.externalId, code: line.code, sku: line.sku }).toEqual({
      externalId: article.externalId,
      code: article.code,
      sku: article.sku,
    })
  })
})
