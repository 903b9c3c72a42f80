/** The pure half of products to the warehouse: the decision per product, and Wemalo's body. */
import { describe, expect, it } from 'vitest'
import { wemaloProductBody } from '../../src/connectors/wemalo/products'
import { wemaloSettingsSchema } from '../../src/connectors/wemalo/schemas'
import { type HubProduct, planProduct, type SentProduct } from '../../src/warehouse/product-plan'

const product = (overrides: Partial<HubProduct> = {}): HubProduct => ({
  id: 'prd_1',
  name: 'Kaffeemühle',
  sku: 'KM-1',
  ean: '4006381333931',
  type: 'single',
  dimensions: { weight: '850', length: '12.000', width: '12', height: '20.5' },
  ...overrides,
})
const sent = (overrides: Partial<SentProduct> = {}): SentProduct => ({
  state: 'sent',
  externalId: 'KM-1',
  dimensions: { weight: '850', length: '12', width: '12', height: '20.5' },
  sentHash: 'h',
  ...overrides,
})

describe('planProduct', () => {
  it('WM4: SKU and EAN are both required', () => {
    expect(planProduct(product({ ean: null }), null, null)).toMatchObject({ action: 'reject', rule: 'WM4' })
    expect(planProduct(product({ sku: '  ' }), null, null)).toMatchObject({ action: 'reject', rule: 'WM4' })
  })

  it('BB6: a bundle is skipped', () => {
    expect(planProduct(product({ type: 'bundle' }), null, null)).toMatchObject({ action: 'skip', rule: 'BB6' })
  })

  it('BB4: a code another product holds is refused', () => {
    expect(planProduct(product(), null, 'SKU KM-1 belongs to another product')).toMatchObject({
      action: 'reject',
      rule: 'BB4',
    })
  })

  it('WM4: a new product has externalId = sku = SKU, lengths in cm and weight in g', () => {
    expect(planProduct(product(), null, null)).toEqual({
      action: 'add',
      product: {
        externalId: 'KM-1',
        sku: 'KM-1',
        name: 'Kaffeemühle',
        eans: ['4006381333931'],
        lengthCm: 12,
        widthCm: 12,
        heightCm: 20.5,
        weightGrams: 850,
      },
    })
    expect(planProduct(product(), sent({ state: 'rejected', externalId: null }), null).action).toBe('add')
  })

  it('WM5, BB5: a held product is updated under its first externalId, with the dimensions first sent', () => {
    const decision = planProduct(
      product({ sku: 'KM-1B', dimensions: { weight: '999', length: '12', width: '12', height: '20.5' } }),
      sent(),
      null
    )
    expect(decision).toMatchObject({
      action: 'update',
      dimensionsKept: true,
      product: { externalId: 'KM-1', sku: 'KM-1B', weightGrams: 850 },
    })
    expect(planProduct(product(), sent(), null)).toMatchObject({ action: 'update', dimensionsKept: false })
    // Dimensions Wemalo never got are sent when they become known.
    expect(planProduct(product(), sent({ dimensions: null }), null)).toMatchObject({
      product: { weightGrams: 850 },
      dimensionsKept: false,
    })
  })
})

describe('wemaloProductBody', () => {
  const decision = planProduct(product(), null, null)
  if (decision.action !== 'add') throw new Error('expected an add')

  it('WM4: the add fields, with productGroup and the weight in the connection’s unit', () => {
    expect(wemaloProductBody(decision.product, wemaloSettingsSchema.parse({}))).toEqual({
      externalId: 'KM-1',
      sku: 'KM-1',
      productGroup: 'default',
      name: 'Kaffeemühle',
      ean: '4006381333931',
      depth: 12,
      width: 12,
      height: 20.5,
      grossWeight: 850,
    })
    expect(
      wemaloProductBody(decision.product, wemaloSettingsSchema.parse({ weightUnit: 'kg', productGroup: 'A' }))
    ).toMatchObject({ productGroup: 'A', grossWeight: 0.85 })
  })
})
