import { describe, expect, it } from 'vitest'
import { createSpecValidator } from './openapi'
import plentySpec from './specs/plentymarkets-openApiV3WithExamples.min.json'

describe('API description checks used by the simulators', () => {
  const validate = createSpecValidator(plentySpec as never)

  it('accepts what plentymarkets documents and names what it does not', () => {
    expect(
      validate(
        'GET',
        '/rest/orders/search',
        new URLSearchParams('statusId=5&with[]=addresses&orderId=gt:0&orderProperty_1=2'),
        null
      )
    ).toEqual([])
    expect(validate('GET', '/rest/orders/search', new URLSearchParams('status=5'), null)).toEqual([
      'GET /rest/orders/search: query parameter status is not declared',
    ])
    expect(validate('PATCH', '/rest/orders/5', new URLSearchParams(), null)[0]).toContain('PATCH is not an operation')
    expect(validate('PUT', '/rest/orders/5', new URLSearchParams(), { statusId: 5.1, colour: 'red' })).toEqual([
      'PUT /rest/orders/5: body property colour is not in the schema',
    ])
    expect(validate('GET', '/rest/nothing', new URLSearchParams(), null)[0]).toContain('no such path')
  })
})
