import { describe, expect, it } from 'vitest'
import { readTokenResponse } from '../../../src/connectors/plentymarkets/client'
import { plentyOrderToCanonical } from '../../../src/connectors/plentymarkets/mapper'
import {
  plentyCredentialsSchema,
  plentyOrderSchema,
  plentySettingsSchema,
} from '../../../src/connectors/plentymarkets/schemas'
import order630 from '../../fixtures/plentymarkets/order_630_get_order.json'
import loginDocs from '../../fixtures/plentymarkets/login_response_docs.json'
import loginReal from '../../fixtures/plentymarkets/login_response_findologic_fixture.json'
import { plentyOrderPayload } from '../../simulators/plentymarkets'

describe('plentymarkets mapping', () => {
  it('PM1: credentials are url, username, password, plentyId, warehouseId, storageLocationId', () => {
    const parsed = plentyCredentialsSchema.parse({
      url: 'https://p1.plentymarkets-cloud01.com/rest/',
      username: 'u',
      password: 'p',
      plentyId: '1000',
      warehouseId: 1,
      storageLocationId: 0,
    })
    expect(parsed).toEqual({
      url: 'https://p1.plentymarkets-cloud01.com',
      username: 'u',
      password: 'p',
      plentyId: 1000,
      warehouseId: 1,
      storageLocationId: 0,
    })
    expect(plentyCredentialsSchema.safeParse({ url: 'https://x', username: 'u', password: 'p' }).success).toBe(false)
  })

  it('PM2, PM6: settings default to open status 5 and the return status', () => {
    expect(plentySettingsSchema.parse({})).toMatchObject({
      openStatus: 5,
      handedOverStatus: 5.1,
      cancelHandedOverStatus: 8.8,
      returnStatus: 9.01,
    })
    expect(plentySettingsSchema.parse({ openStatus: '4.1' }).openStatus).toBe(4.1)
  })

  it('reads snake_case and camelCase token responses', () => {
    const now = new Date('2026-11-22T00:00:00Z')
    expect(readTokenResponse(loginDocs as Record<string, unknown>, now).accessToken).toBeTruthy()
    expect(readTokenResponse({ access_token: 'a', refresh_token: 'r', expires_in: 60 }, now)).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: '2026-11-22T00:01:00.000Z',
    })
    expect(readTokenResponse(loginReal as Record<string, unknown>, now).refreshToken).toBe('refresh token')
  })

  it('maps the documented order 630 (G3 fields)', () => {
    const order = plentyOrderToCanonical(plentyOrderSchema.parse(order630), 8)
    expect(order).toMatchObject({
      externalId: '630',
      currency: 'EUR',
      total: '153.99',
      platformStatus: '3',
      status: null,
    })
    expect(order.lines[0]).toMatchObject({
      quantity: 1,
      unitPrice: '149.00',
      product: { code: '1012', name: 'Design Sessel Black&White' },
    })
  })

  it('addresses: type 1 is billing, type 2 delivery, a Packstation stays a Packstation', () => {
    const order = plentyOrderToCanonical(plentyOrderSchema.parse(plentyOrderPayload()), 8)
    expect(order.billingAddress).toMatchObject({ street: 'Musterstr.', houseNumber: '12', kind: null })
    expect(order.shippingAddress).toMatchObject({
      street: 'PACKSTATION',
      houseNumber: '123',
      street2: '12345678',
      kind: 'Packstation',
    })
    expect(order.customer).toMatchObject({
      firstName: 'Max',
      lastName: 'Mustermann',
      email: 'max@example.com',
      phone: '+49 561 123456',
    })
    expect(order.shippingCost).toBe('4.99')
    expect(order.lines).toHaveLength(1)
    expect(order.lines[0].product.sku).toBe('SESSEL-BW')
  })

  it('PM5: an order in status 8 is a cancellation', () => {
    expect(plentyOrderToCanonical(plentyOrderSchema.parse(plentyOrderPayload({ statusId: 8 })), 8).status).toBe(
      'cancelled'
    )
  })
})
