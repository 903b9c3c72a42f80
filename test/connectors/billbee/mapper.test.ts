import { describe, expect, it } from 'vitest'
import { billbeeOrderToCanonical, billbeeProductToRecord } from '../../../src/connectors/billbee/mapper'
import {
  billbeeCredentialsSchema,
  billbeeOrderSchema,
  billbeeProductSchema,
  billbeeSettingsSchema,
} from '../../../src/connectors/billbee/schemas'
import { parseJsonLosslessly } from '../../../src/core/json'
import ordersFixture from '../../fixtures/billbee/php-sdk_get_orders_response.json'
import productFixture from '../../fixtures/billbee/php-sdk_get_product_response.json'

describe('Billbee mapping', () => {
  it('BB1: credentials are username, API password and API key; settings default to state 3 and storage 0', () => {
    expect(billbeeCredentialsSchema.safeParse({ username: 'u', apiPassword: 'p', apiKey: 'k' }).success).toBe(true)
    expect(billbeeCredentialsSchema.safeParse({ username: 'u', apiKey: 'k' }).success).toBe(false)
    expect(billbeeSettingsSchema.parse({ ordersTag: 'kontor' })).toMatchObject({
      orderStateId: 3,
      storageLocationId: 0,
      pollMinutes: 60,
    })
  })

  it('BB2: the poll runs every 60 minutes unless set otherwise', () => {
    expect(billbeeSettingsSchema.parse({ ordersTag: 'x', pollMinutes: 15 }).pollMinutes).toBe(15)
  })

  it('parses real-world answers leniently: no offset, 30.000 decimals, string ErrorDescription', () => {
    const text =
      '{"BillBeeOrderId":12345678901234567,"OrderNumber":"A1","State":3,"CreatedAt":"2023-04-22T14:56:23.843","Currency":"EUR","TotalCost":3612.8400000,"ShippingCost":114.240,"ErrorDescription":"NoError","OrderItems":[{"Quantity":2.0,"TotalPrice":30.000,"Product":{"SKU":"S","Title":"T"}}]}'
    const order = billbeeOrderToCanonical(billbeeOrderSchema.parse(parseJsonLosslessly(text)))
    expect(order).toMatchObject({
      externalId: '12345678901234567',
      createdAt: '2023-04-22T14:56:23.843Z',
      total: '3612.84',
      shippingCost: '114.24',
    })
    expect(order.lines[0]).toMatchObject({ quantity: 2, unitPrice: '15.00', total: '30.00' })
  })

  it('maps the SDK fixture orders', () => {
    for (const raw of (ordersFixture as { Data: unknown[] }).Data) {
      const order = billbeeOrderToCanonical(billbeeOrderSchema.parse(raw))
      expect(order.externalId).toBeTruthy()
      expect(order.total).toMatch(/^\d+\.\d{2}$/)
    }
  })

  it('BB3: a product needs SKU and EAN, else it is rejected', () => {
    const product = billbeeProductSchema.parse((productFixture as { Data: unknown }).Data)
    expect(billbeeProductToRecord({ ...product, SKU: 'A', EAN: '4006381333931' })).toMatchObject({ kind: 'product' })
    expect(billbeeProductToRecord({ ...product, SKU: null, EAN: '4006381333931' })).toMatchObject({
      kind: 'decision',
      result: 'rejected',
      rule: 'BB3',
    })
    expect(billbeeProductToRecord({ ...product, SKU: 'A', EAN: '' })).toMatchObject({
      rule: 'BB3',
      reason: expect.stringContaining('EAN'),
    })
  })

  it('BB6: a bundle is handed on as its components', () => {
    const bundle = billbeeProductSchema.parse({
      Id: 9,
      Type: 2,
      SKU: 'SET',
      EAN: '4006381333948',
      BillOfMaterial: [{ Amount: 2, ArticleId: 777, SKU: 'KM-1' }],
    })
    expect(billbeeProductToRecord(bundle)).toMatchObject({
      kind: 'product',
      product: { type: 'bundle', components: [{ sku: 'KM-1', externalId: '777', quantity: 2 }] },
    })
  })
})
