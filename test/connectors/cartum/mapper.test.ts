import { describe, expect, it } from 'vitest'
import { cartumOrderToCanonical } from '../../../src/connectors/cartum/mapper'
import { cartumOrderSchema, cartumSettingsSchema } from '../../../src/connectors/cartum/schemas'
import { cartumStatusToKontor, kontorStatusToCartum } from '../../../src/connectors/cartum/status-map'
import webhookFixture from '../../fixtures/cartum/webhook-order_created.json'

const settings = cartumSettingsSchema.parse({})

describe('Cartum mapping', () => {
  it('maps the documented order_created payload (G3 fields, DL1 delivery)', () => {
    const order = cartumOrderToCanonical(cartumOrderSchema.parse(webhookFixture), settings, '2026-11-22T10:00:00.000Z')
    expect(order).toMatchObject({
      externalId: '115',
      number: '115',
      createdAt: '2016-12-05T15:46:40.000Z',
      currency: 'UAH',
      total: '31799.00',
      status: 'new',
      customer: { firstName: 'sdbgdasgdasg', email: 'dasgdsga@zz.cc', phone: '+38 (012) 421-42-14' },
      delivery: { carrier: 'Local pickup', cost: '0.00' },
    })
    expect(order.lines).toEqual([expect.objectContaining({ quantity: 1, unitPrice: '31799.00', total: '31799.00' })])
    expect(order.lines[0].product).toMatchObject({ sku: 'MJVM2UAA', name: 'MacBook Air 11.6" 128 GB, Green' })
  })

  it('CA2: the status map works both ways, with defaults for the built-in statuses', () => {
    expect(cartumStatusToKontor(settings.statusMap, 2)).toBe('processing')
    expect(cartumStatusToKontor(settings.statusMap, 4)).toBe('cancelled')
    expect(cartumStatusToKontor(settings.statusMap, 99)).toBeNull()
    expect(kontorStatusToCartum(settings.statusMap, 'shipped')).toBe(6)
    const custom = cartumSettingsSchema.parse({ statusMap: { processing: 7 } })
    expect(kontorStatusToCartum(custom.statusMap, 'processing')).toBe(7)
    expect(cartumSettingsSchema.safeParse({ statusMap: { teleported: 1 } }).success).toBe(false)
  })

  it('a carrier tariff (delivery_price -1) is an unknown cost, not a negative one', () => {
    const order = cartumOrderToCanonical(
      cartumOrderSchema.parse({ ...webhookFixture, delivery_price: -1 }),
      settings,
      '2026-11-22T10:00:00.000Z'
    )
    expect(order.shippingCost).toBeNull()
  })
})
