import { describe, expect, it } from 'vitest'
import { createWooCommerceSimulatorApp } from './woocommerce'

const app = createWooCommerceSimulatorApp()
const host = 'https://sim-test.woo.example'
const auth = { authorization: `Basic ${btoa('ck:cs')}` }

describe('WooCommerce simulator', () => {
  it("speaks WooCommerce's paging and refuses per_page above 100 as WooCommerce does", async () => {
    await app.request(`${host}/_sim/site`, {
      method: 'POST',
      body: JSON.stringify({ consumerKey: 'ck', consumerSecret: 'cs' }),
    })
    await app.request(`${host}/_sim/orders`, { method: 'POST', body: JSON.stringify({ generate: 150 }) })
    const tooMany = await app.request(`${host}/wp-json/wc/v3/orders?per_page=101`, { headers: auth })
    expect(tooMany.status).toBe(400)
    expect(await tooMany.json()).toMatchObject({
      code: 'rest_invalid_param',
      data: { params: { per_page: expect.stringContaining('100') } },
    })
    const page = await app.request(`${host}/wp-json/wc/v3/orders?per_page=100&page=1`, { headers: auth })
    expect(page.headers.get('x-wp-total')).toBe('150')
    expect(page.headers.get('x-wp-totalpages')).toBe('2')
    expect(page.headers.get('link')).toContain('rel="next"')
    expect((await app.request(`${host}/wp-json/wc/v3/orders`, {})).status).toBe(401)
  })

  it("serves a variable product's variations paged 100 at most, and one product or variation by id", async () => {
    await app.request(`${host}/_sim/site`, {
      method: 'POST',
      body: JSON.stringify({ consumerKey: 'ck', consumerSecret: 'cs' }),
    })
    const variations = Array.from({ length: 120 }, (_, index) => ({ id: 900 + index, sku: `V-${index}` }))
    await app.request(`${host}/_sim/products`, {
      method: 'POST',
      body: JSON.stringify({ products: [{ id: 90, name: 'Shirt', type: 'variable', variations }] }),
    })
    const path = `${host}/wp-json/wc/v3/products/90/variations`
    expect((await app.request(`${path}?per_page=101`, { headers: auth })).status).toBe(400)
    const second = await app.request(`${path}?per_page=100&page=2&orderby=id&order=asc`, { headers: auth })
    expect(second.headers.get('x-wp-total')).toBe('120')
    expect(second.headers.get('x-wp-totalpages')).toBe('2')
    expect(((await second.json()) as any[]).map((variation) => variation.sku)).toEqual(
      variations.slice(100).map((variation) => variation.sku)
    )
    // The products list holds the variable product only; a variation is read by its id.
    const list = (await (await app.request(`${host}/wp-json/wc/v3/products`, { headers: auth })).json()) as any[]
    expect(list.map((product) => product.id)).toEqual([90])
    expect(await (await app.request(`${host}/wp-json/wc/v3/products/905`, { headers: auth })).json()).toMatchObject({
      type: 'variation',
      parent_id: 90,
      sku: 'V-5',
    })
    expect((await app.request(`${host}/wp-json/wc/v3/products/905/variations`, { headers: auth })).status).toBe(404)
  })
})
