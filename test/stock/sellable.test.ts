/** ST2 and the pure parts of ST1/ST3: the sellable quantity, batching, Wemalo's figures, Shopify's search. */
import { describe, expect, it } from 'vitest'
import { shopifyLocationGid, skuSearch } from '../../src/connectors/shopify/stock'
import { wemaloReducedStockSchema } from '../../src/connectors/wemalo/schemas'
import { EVERYTHING, wemaloHour, wemaloStockToFigures } from '../../src/connectors/wemalo/stock'
import { batches, sellableQuantity } from '../../src/stock/sellable'

describe('ST2 sellable quantity', () => {
  it('ST2: not reserved − in flight − buffer', () => {
    expect(sellableQuantity({ notReserved: 10, inFlight: 0 }, 0)).toBe(10)
    expect(sellableQuantity({ notReserved: 10, inFlight: 3 }, 2)).toBe(5)
  })

  it('ST2: never below 0', () => {
    expect(sellableQuantity({ notReserved: 2, inFlight: 5 }, 0)).toBe(0)
    expect(sellableQuantity({ notReserved: 2, inFlight: 0 }, 5)).toBe(0)
  })

  it('ST2: a SKU sold on two channels while both orders are in flight: each channel sees both orders, and only its own buffer', () => {
    // 10 in Wemalo; 2 sold on Billbee and 3 on WooCommerce, neither accepted by Wemalo yet.
    const basis = { notReserved: 10, inFlight: 2 + 3 }
    expect(sellableQuantity(basis, 0)).toBe(5) // Billbee
    expect(sellableQuantity(basis, 1)).toBe(4) // WooCommerce, buffer 1
    // Wemalo accepts the Billbee order: reserved, no longer in flight; the figure stays.
    expect(sellableQuantity({ notReserved: 8, inFlight: 3 }, 0)).toBe(5)
  })

  it('ST2: a negative buffer counts as none', () => {
    expect(sellableQuantity({ notReserved: 4, inFlight: 0 }, -3)).toBe(4)
  })

  it('ST3: n items take ⌈n / size⌉ batches', () => {
    expect(batches([], 100)).toEqual([])
    expect(
      batches(
        Array.from({ length: 250 }, (_, index) => index),
        100
      ).map((batch) => batch.length)
    ).toEqual([100, 100, 50])
  })
})

describe('ST1 Wemalo figures', () => {
  it("ST1: the apidoc's stock/reduced example: only the default attribute, reserved taken off", () => {
    // The apidoc's example answer, as published (figures at the top level).
    const stock = wemaloReducedStockSchema.parse({
      lotStartPosition: 0,
      lotEndPosition: 0,
      quantity: 4,
      notReservedQuantity: 1,
      details: [
        { id: 1, attributeId: 3, quantity: 1, reserved: 1, isDefault: true, serialNumber: 'abc11' },
        { id: 2, attributeId: 3, quantity: 1, reserved: 1, isDefault: true, serialNumber: 'abc12' },
        { id: 3, attributeId: 3, quantity: 1, reserved: 1, isDefault: true, serialNumber: 'abc13' },
        { id: 4, attributeId: 5, quantity: 1, reserved: 0, isDefault: false },
      ],
      Success: true,
    })
    expect(wemaloStockToFigures('SN-1', stock)).toEqual({ sku: 'SN-1', physical: 3, reserved: 3, notReserved: 0 })
  })

  it("ST1: figures nested under `product`, as the apidoc's field list says, are read too", () => {
    const stock = wemaloReducedStockSchema.parse({
      product: { quantity: 9, quantityReserved: 2, details: [{ quantity: 9, reserved: 2, isDefault: 'true' }] },
    })
    expect(wemaloStockToFigures('A', stock)).toEqual({ sku: 'A', physical: 9, reserved: 2, notReserved: 7 })
  })

  it('ST1: without details, the whole article with its reserved part', () => {
    expect(wemaloStockToFigures('A', wemaloReducedStockSchema.parse({ quantity: 5, quantityReserved: 1 }))).toEqual({
      sku: 'A',
      physical: 5,
      reserved: 1,
      notReserved: 4,
    })
    expect(wemaloStockToFigures('A', wemaloReducedStockSchema.parse({ quantity: 5, notReservedQuantity: 3 }))).toEqual({
      sku: 'A',
      physical: 5,
      reserved: 2,
      notReserved: 3,
    })
  })

  it('ST1: fromDate is ddMMyyyyHH; the nightly run reads from 2000', () => {
    expect(wemaloHour(new Date('1999-12-31T23:10:00Z'))).toBe('3112199923')
    expect(EVERYTHING).toBe('0101200000')
  })
})

describe('ST3 Shopify search', () => {
  it('ST3: SKUs are quoted in the inventoryItems query; a location id becomes a gid', () => {
    expect(skuSearch(['A-1', 'B "2"'])).toBe('sku:"A-1" OR sku:"B \\"2\\""')
    expect(shopifyLocationGid('1001')).toBe('gid://shopify/Location/1001')
    expect(shopifyLocationGid('gid://shopify/Location/7')).toBe('gid://shopify/Location/7')
  })
})
