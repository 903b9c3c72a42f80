import { describe, expect, it } from 'vitest'
import { simulatorCall } from '../helpers'

const auth = { authorization: 'JWT sim-token', 'content-type': 'application/json' }

async function account(options: Record<string, unknown> = {}) {
  const host = `${crypto.randomUUID().slice(0, 8)}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: 'sim-token', ...options })
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`https://${host}/v1${path}`, { ...init, headers: { ...auth, ...init.headers } })
  return { host, call, state: () => simulatorCall(host, '/_sim/state') }
}

const goodsOrder = {
  meta: {
    externalId: 'ord_sim_1',
    receiver: [{ name1: 'Erika Musterfrau', street: 'Weg 1', zip: '34117', city: 'Kassel', countryCode2Letter: 'DE' }],
  },
  positions: [{ externalId: 'MUG-RED', quantity: 1, total: 1990 }],
}

describe('Wemalo simulator', () => {
  it('WM1: records what the apidoc would reject: wrong types, unknown fields, missing required fields, unknown routes', async () => {
    const { host, call, state } = await account()
    expect((await call('/goodsOrder/add', { method: 'POST', body: JSON.stringify(goodsOrder) })).status).toBe(200)
    expect((await state()).violations).toEqual([])
    const bad = {
      meta: {
        externalId: 'ord_sim_2',
        orderNumber: 42,
        receiver: [{ ...goodsOrder.meta.receiver[0], zip: 34117, note: 'x' }],
      },
      positions: [{ externalId: 'MUG-RED', quantity: '1', total: 19.9 }],
    }
    await call('/goodsOrder/add', { method: 'POST', body: JSON.stringify(bad) })
    await call('/goodsOrder/getStatus/ord_sim_1?verbose=1')
    await call('/goodsOrder/nothing', { method: 'POST', body: '{}' })
    await call('/webhook/status_update', { method: 'POST', body: JSON.stringify({ payload: 'https://kontor.test/x' }) })
    const { violations } = await state()
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringContaining('meta.orderNumber must be String, got number'),
        expect.stringContaining('meta.receiver.zip must be String, got number'),
        expect.stringContaining('meta.receiver.note is not in the apidoc'),
        expect.stringContaining('positions.quantity must be Number, got string'),
        expect.stringContaining('positions.total must be Number (an integer), got a fraction'),
        expect.stringContaining('query parameter verbose is not in the apidoc'),
        expect.stringContaining('POST /v1/goodsOrder/nothing: no such route'),
        expect.stringContaining('required body field token is missing'),
        expect.stringContaining('required body field email is missing'),
      ])
    )
    expect((await simulatorCall(host, '/_sim/requests')).violations).toEqual(violations)
  })

  it('refuses a wrong token, counts calls in x-wemalo-limit-* headers and answers 419 when they are used up', async () => {
    const { call } = await account({ maxCall: 2 })
    expect((await call('/webhook', { headers: { authorization: 'JWT wrong' } })).status).toBe(401)
    const first = await call('/webhook')
    expect(first.headers.get('x-wemalo-limit-maxcall')).toBe('2')
    expect(first.headers.get('x-wemalo-limit-remainingcall')).toBe('1')
    expect((await call('/webhook')).headers.get('x-wemalo-limit-remainingcall')).toBe('0')
    const limited = await call('/webhook')
    expect(limited.status).toBe(419)
    expect(await limited.json()).toMatchObject({ Success: false, status: 419 })
  })

  it('issue 19: DELETE /_sim/faults clears the faults not yet used up', async () => {
    const { host, call } = await account()
    await simulatorCall(host, '/_sim/faults', { status: 503, count: 5 })
    expect((await call('/webhook')).status).toBe(503)
    const cleared = await fetch(`https://${host}/_sim/faults`, { method: 'DELETE' })
    expect(cleared.status).toBe(200)
    expect((await call('/webhook')).status).toBe(200)
  })

  it('WM3: cancels an open goods order and refuses once picking started', async () => {
    const { host, call } = await account()
    await call('/goodsOrder/add', { method: 'POST', body: JSON.stringify(goodsOrder) })
    await simulatorCall(host, '/_sim/goodsOrders/ord_sim_1/status', { statusName: 'INPROCESS' })
    const refused = await call('/goodsOrder/cancel/ord_sim_1', { method: 'PUT', body: '{"reason":"customer"}' })
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({
      Success: false,
      error: 'INVALID',
      message: expect.stringContaining('picking has started'),
    })
    await simulatorCall(host, '/_sim/goodsOrders/ord_sim_1/status', { statusName: 'OPEN' })
    expect((await call('/goodsOrder/cancel/ord_sim_1', { method: 'PUT', body: '{"reason":"customer"}' })).status).toBe(
      200
    )
    expect(await (await call('/goodsOrder/getStatus/ord_sim_1')).json()).toMatchObject({
      statusName: 'CANCELLED',
      statusId: '900',
    })
  })

  it('WM2: sends callbacks to the registered URL with the token, and drops a hook after 10 failed deliveries', async () => {
    const { host, call, state } = await account({ tokenPlace: 'body' })
    await call('/goodsOrder/add', { method: 'POST', body: JSON.stringify(goodsOrder) })
    // Nothing listens on port 9: every delivery fails.
    const payload = 'http://127.0.0.1:9/webhooks/wemalo/con_1?key=k&event=status_update'
    await call('/webhook/status_update', {
      method: 'POST',
      body: JSON.stringify({ payload, token: 'hook-token', email: 'ops@example.com' }),
    })
    const dry = await simulatorCall(host, '/_sim/callbacks/send', {
      event: 'status_update',
      externalId: 'ord_sim_1',
      deliver: false,
    })
    expect(dry.deliveries[0]).toMatchObject({ url: payload, method: 'POST' })
    expect(JSON.parse(dry.deliveries[0].body)).toEqual({
      orderId: expect.any(Number),
      externalId: 'ord_sim_1',
      orderNumber: 'ord_sim_1',
      token: 'hook-token',
    })
    for (let attempt = 1; attempt <= 9; attempt++) {
      const sent = await simulatorCall(host, '/_sim/callbacks/send', {
        event: 'status_update',
        externalId: 'ord_sim_1',
      })
      expect(sent.deliveries[0].error ?? sent.deliveries[0].status).toBeTruthy()
    }
    // The control routes can send the callback themselves (`notify`), as `npm start` uses them.
    await simulatorCall(host, '/_sim/goodsOrders/ord_sim_1/status', { statusName: 'INPROCESS', notify: true })
    expect((await state()).deliveries.at(-1)).toMatchObject({
      event: 'status_update',
      url: payload,
      error: expect.any(String),
    })
    const { hooks, droppedHooks } = await state()
    expect(hooks).toEqual([])
    expect(droppedHooks).toEqual(['status_update'])
    expect(await (await call('/webhook')).json()).toMatchObject({ hooks: [] })
  })
})
