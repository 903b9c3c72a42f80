import { describe, expect, it } from 'vitest'
import { billbeePacer, endpointOf, pace } from '../../../src/connectors/billbee/client'
import { pacerPort } from '../../helpers'

describe('Billbee pacing', () => {
  it('BB1: calls to one endpoint are spaced 500 ms apart (2 per second), ids do not make a new endpoint', async () => {
    expect(endpointOf('PUT', '/orders/123/orderstate')).toBe('PUT /orders/{id}/orderstate')
    expect(endpointOf('PUT', '/orders/456/orderstate')).toBe(endpointOf('PUT', '/orders/123/orderstate'))
    const pacer = await billbeePacer({ pacer: pacerPort('billbee') }, `key-${crypto.randomUUID()}|user`)
    const started = Date.now()
    for (let i = 0; i < 3; i++) await pace(pacer, 'GET /orders')
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('BB1: different endpoints share only the account limit (10 per second)', async () => {
    const pacer = await billbeePacer({ pacer: pacerPort('billbee') }, `key-${crypto.randomUUID()}|user`)
    const started = Date.now()
    for (let i = 0; i < 5; i++) await pace(pacer, `GET /endpoint-${i}`)
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(350)
    // Spacing by endpoint would take at least 2 s; by account alone it takes about 0.4 s.
    expect(elapsed).toBeLessThan(2000)
  })
})
