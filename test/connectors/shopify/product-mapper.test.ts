import { describe, expect, it } from 'vitest'
import {
  shopifyProductRecords,
  shopifyProductToCanonical,
  shopifyVariantGrams,
} from '../../../src/connectors/shopify/product-mapper'
import { shopifyProductSchema } from '../../../src/connectors/shopify/schemas'
import { parseJsonLosslessly } from '../../../src/core/json'
import fixture from '../../fixtures/shopify/product-get-with-variants.response.rest-2025-10.json'

const fixtureProduct = () => shopifyProductSchema.parse(structuredClone((fixture as { product: unknown }).product))

describe('Shopify product → canonical (WM4)', () => {
  it('WM4: each variant of the REST fixture is an article: SKU, barcode as EAN, "title - variant title", weight in grams, product id as code', () => {
    const products = shopifyProductToCanonical(fixtureProduct())
    expect(products.map((product) => product.sku)).toEqual([
      'IPOD2008PINK',
      'IPOD2008RED',
      'IPOD2008GREEN',
      'IPOD2008BLACK',
    ])
    expect(products[0]).toEqual({
      externalId: '808950810',
      name: 'IPod Nano - 8GB - Pink',
      description: null,
      sku: 'IPOD2008PINK',
      ean: '1234_pink',
      code: '632910392',
      category: null,
      // 1.25 lb; Shopify keeps no dimensions on a variant.
      dimensions: { weight: '566.99', length: null, width: null, height: null },
      type: 'single',
      components: [],
    })
  })

  it('WM4: the only variant of a product without options is named by the product; no barcode means no EAN', () => {
    const product = shopifyProductSchema.parse({
      id: 1,
      title: 'Teekanne',
      variants: [{ id: 2, title: 'Default Title', sku: ' TEA-1 ', barcode: '', weight: 0.85, weight_unit: 'kg' }],
    })
    expect(shopifyProductToCanonical(product)).toEqual([
      expect.objectContaining({
        externalId: '2',
        name: 'Teekanne',
        sku: 'TEA-1',
        ean: null,
        dimensions: expect.objectContaining({ weight: '850' }),
      }),
    ])
  })

  it('WM4: weights in g, kg, oz and lb become grams; 0 or none is no weight, and `grams` stands in without a unit', () => {
    expect(shopifyVariantGrams({ weight: 500, weight_unit: 'g' })).toBe(500)
    expect(shopifyVariantGrams({ weight: '1.2', weight_unit: 'kg' })).toBe(1200)
    expect(shopifyVariantGrams({ weight: 2, weight_unit: 'oz' })).toBe(56.699)
    expect(shopifyVariantGrams({ weight: 0, weight_unit: 'kg', grams: 0 })).toBeNull()
    expect(shopifyVariantGrams({ weight: null, weight_unit: null, grams: 340 })).toBe(340)
    expect(shopifyVariantGrams({ weight: 3, weight_unit: 'constructor', grams: 0 })).toBeNull()
  })

  it('WM4: variant ids beyond 2^53 stay exact', () => {
    const product = shopifyProductSchema.parse(
      parseJsonLosslessly('{"id":9007199254740993,"title":"Big","variants":[{"id":9007199254740995,"sku":"B-1"}]}')
    )
    expect(shopifyProductToCanonical(product)[0]).toMatchObject({
      externalId: '9007199254740995',
      code: '9007199254740993',
    })
  })

  it('WM4: a product with 100 variants says in the import log that REST may have left variants out', () => {
    const variants = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ id: index + 1, sku: `V-${index}` }))
    const full = shopifyProductRecords(shopifyProductSchema.parse({ id: 7, title: 'Groß', variants: variants(100) }))
    expect(full.filter((record) => record.kind === 'product')).toHaveLength(100)
    expect(full.at(-1)).toMatchObject({ kind: 'decision', about: 'product', externalId: '7', result: 'skipped' })
    const small = shopifyProductRecords(shopifyProductSchema.parse({ id: 8, title: 'Klein', variants: variants(99) }))
    expect(small.every((record) => record.kind === 'product')).toBe(true)
  })
})
