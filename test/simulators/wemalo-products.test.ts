/** The Wemalo simulator's product master, and what the apidoc would reject about product calls. */
import { describe, expect, it } from 'vitest'
import { simulatorCall } from '../helpers'

const auth = { authorization: 'JWT sim-token', 'content-type': 'application/json' }

async function account() {
  const host = `${crypto.randomUUID().slice(0, 8)}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: 'sim-token' })
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`https://${host}/v1${path}`, { ...init, headers: { ...auth, ...init.headers } })
  return { host, call, state: () => simulatorCall(host, '/_sim/state') }
}

const mug = { externalId: 'MUG-1', sku: 'MUG-1', productGroup: 'default', name: 'Mug', ean: '4006381333931', depth: 10 }

describe('Wemalo simulator: products', () => {
  it('WM4, WM5: addMultiple, get, update; external id and SKU are unique; the apidoc checks each product and the update body', async () => {
    const { host, call, state } = await account()
    const add = (products: unknown[]) =>
      call('/product/addMultiple', { method: 'POST', body: JSON.stringify({ products }) })
    expect((await add([mug, { ...mug, externalId: 'MUG-2', sku: 'MUG-2' }])).status).toBe(200)
    expect((await state()).violations).toEqual([])
    // A product that is there already refuses the whole call, and nothing of it is stored.
    const again = await add([{ ...mug, externalId: 'MUG-3', sku: 'MUG-3' }, mug])
    expect(again.status).toBe(400)
    expect(await again.json()).toMatchObject({ Success: false, field: 'externalId' })
    expect((await call('/product/get/MUG-3')).status).toBe(404)
    expect(await (await call('/product/get/MUG-1')).json()).toMatchObject({ sku: 'MUG-1', depth: 10, Success: true })

    const update = (externalId: string, body: unknown) =>
      call(`/product/update/${externalId}`, { method: 'PUT', body: JSON.stringify(body) })
    expect((await update('MUG-1', { ...mug, name: 'Mug, large' })).status).toBe(200)
    expect(await (await call('/product/get/MUG-1')).json()).toMatchObject({ name: 'Mug, large' })
    expect((await update('MUG-1', { sku: 'MUG-2' })).status).toBe(400)
    expect((await update('NOPE', mug)).status).toBe(404)
    expect((await state()).violations).toEqual([])

    await add([{ externalId: 'X-1', sku: 'X-1', weight: 3 }])
    await update('MUG-1', { colour: 'red' })
    const { violations } = await state()
    expect(violations).toEqual([
      expect.stringContaining('body field products.weight is not in the apidoc'),
      expect.stringContaining('required body field products.productGroup is missing'),
      expect.stringContaining('body field colour is not in the apidoc'),
    ])
    const { products } = await simulatorCall(host, '/_sim/products')
    expect(products.map((product: any) => product.externalId)).toEqual(['MUG-1', 'MUG-2'])
  })
})
