import { describe, expect, it } from 'vitest'
import { createPlenigoSpecChecker } from './plenigo-spec'
import spec from './specs/plenigo-openapi-v250520-MINOR.json'

const validate = createPlenigoSpecChecker(spec as never, '/api/v3.0')
const none = new URLSearchParams()
const item = {
  externalSystemId: 'ord_1:0',
  plenigoOfferId: 'O_MZA1E7173120881551',
  invoiceCustomerId: '100003',
  quantity: 1,
  startDate: '2026-11-20T09:15:00Z',
  paymentMethod: 'PAYPAL',
}

describe('plenigo API description check', () => {
  it('PL3: accepts the import plenigo documents (the spec example too)', async () => {
    expect(validate('POST', '/api/v3.0/imports/orders', none, { items: [item] }).violations).toEqual([])
    const example = (spec as any).components.examples.orderImportsExample.value
    expect(validate('POST', '/api/v3.0/imports/orders', none, example).violations).toEqual([])
    expect(
      validate('POST', '/api/v3.0/customers', none, { email: 'jana@example.com', language: 'de', firstName: 'Jana' })
        .violations
    ).toEqual([])
    expect(
      validate(
        'GET',
        '/api/v3.0/imports/orders/logs',
        new URLSearchParams('externalSystemId=ord_1:0&size=100'),
        undefined
      ).violations
    ).toEqual([])
  })

  it('PL3: names wrong body types, enums, formats, lengths, missing and unknown fields', () => {
    const { violations, fieldErrors } = validate('POST', '/api/v3.0/imports/orders', none, {
      items: [
        {
          ...item,
          quantity: '1',
          startDate: '20.11.2026',
          paymentMethod: 'CASH',
          plenigoOfferId: 'O_SHORT',
          invoiceCustomerId: undefined,
          colour: 'red',
        },
      ],
    })
    expect(fieldErrors.map((error) => `${error.field} ${error.error}`)).toEqual([
      'items[0].invoiceCustomerId is required',
      'items[0].plenigoOfferId must have at least 20 characters',
      'items[0].quantity must be integer, is string',
      'items[0].startDate must be an RFC 3339 date-time',
      'items[0].paymentMethod must be one of AMAZON_PAY, APPLE_PAY, BANK_ACCOUNT, BILLING, CREDIT_CARD, GOOGLE_PAY, IDEAL, PAYPAL, POSTFINANCE, SOFORT, TWINT, ZERO',
      'items[0].colour is not a property of the schema',
    ])
    expect(violations[0]).toMatch(/^POST \/api\/v3.0\/imports\/orders: items\[0\]\.invoiceCustomerId is required/)
    // allOf schemas (CustomerCreation) are merged: required email and language, typed names.
    expect(
      validate('POST', '/api/v3.0/customers', none, {
        email: 'jana',
        language: 'deu',
        firstName: null,
      }).fieldErrors.map((error) => `${error.field} ${error.error}`)
    ).toEqual([
      'email must be an email address',
      'language must have at most 2 characters',
      'firstName must be string, is null',
    ])
    expect(validate('POST', '/api/v3.0/customers', none, { email: 'jana@example.com' }).violations).toEqual([
      'POST /api/v3.0/customers: language is required',
    ])
  })

  it('PL4: query parameters must be declared and typed; unknown paths and methods are named', () => {
    expect(
      validate('GET', '/api/v3.0/imports/orders/logs', new URLSearchParams('orderId=5&size=x'), undefined).violations
    ).toEqual([
      'GET /api/v3.0/imports/orders/logs: query parameter orderId is not declared',
      'GET /api/v3.0/imports/orders/logs: size must be integer, is string (x)',
    ])
    expect(validate('GET', '/api/v3.0/customers', new URLSearchParams('size=500'), undefined).violations).toEqual([
      'GET /api/v3.0/customers: size must be at most 100 (500)',
    ])
    expect(validate('DELETE', '/api/v3.0/imports/orders', none, undefined).violations[0]).toContain(
      'DELETE is not an operation'
    )
    // plenigo's import is /imports/orders; /orders/import would be an order id "import".
    expect(validate('POST', '/api/v3.0/orders/import', none, {}).violations[0]).toContain(
      'POST is not an operation of /orders/{orderId}'
    )
    expect(validate('GET', '/api/v3.0/promises/abc', none, undefined).violations[0]).toContain('no such path')
  })
})
