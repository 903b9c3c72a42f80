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
})
