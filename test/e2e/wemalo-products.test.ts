/**
 * Products to Wemalo (WM4–WM6) across the source simulators (Billbee, plentymarkets, Shopify,
 * WooCommerce) and Wemalo's: the products a source's backfill, poll or webhook imports reach
 * Wemalo's product master in batches, changes go as updates, and what Wemalo must not get
 * (bundles, products without SKU or EAN, codes another product holds) is logged.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sendProductsToWarehouse } from '../../src/warehouse/send-products'
import { WEMALO_PRODUCT_BATCH } from '../../src/connectors/wemalo/products'
import { api, apiJson, createConnection, listAll, simulatorCall, uniqueName, waitFor, waitForJob } from '../helpers'
import { billbeeOrderPayload } from '../simulators/billbee'
import { wooJson, wooWebhookHeaders } from '../simulators/woocommerce'
import { plentyConnection } from './plenty-support'
import { wemaloDestination } from './wemalo-support'
import { billbeeSim } from './billbee-support'
import { deliverWebhook, simulatedShop, WEBHOOK_SECRET } from './shopify-support'

const WEMALO_TOKEN = 'wemalo-jwt-products'
const wemalo = simulatorCall

const billbee = billbeeSim

/** A tenant with a Wemalo connection on a fresh simulated account; `settings` over its defaults. */
const wemaloWarehouse = (settings: Record<string, unknown> = {}) =>
  wemaloDestination({ token: WEMALO_TOKEN, hostPrefix: 'wp', settings })

async function billbeeSource(
  tenantToken: string,
  destinationId: string | null,
  seed: { products?: unknown[]; orders?: unknown[] } = {}
) {
  const apiKey = uniqueName('key')
  await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
  if (seed.products) await billbee(apiKey, '/_sim/products', { products: seed.products })
  if (seed.orders) await billbee(apiKey, '/_sim/orders', { orders: seed.orders })
  const source = await createConnection(tenantToken, {
    platform: 'billbee',
    credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
    settings: { ordersTag: 'kontor' },
    routes: destinationId ? [destinationId] : [],
  })
  await waitForJob(source.backfillJobId!, 60_000)
  return { apiKey, source }
}

const productsAt = async (host: string): Promise<any[]> => (await wemalo(host, '/_sim/products')).products
const productCalls = async (host: string): Promise<any[]> =>
  (await wemalo(host, '/_sim/requests')).requests.filter((request: any) => request.path.startsWith('/v1/product/'))
const addCalls = async (host: string) =>
  (await productCalls(host)).filter((request: any) => request.path === '/v1/product/addMultiple')

async function waitForProducts(host: string, count: number) {
  return waitFor(async () => ((await productsAt(host)).length >= count ? productsAt(host) : null), {
    what: `${count} products at Wemalo`,
    timeoutMs: 45_000,
  })
}

async function productLog(token: string, connectionId: string) {
  return (await listAll(`/api/v1/import-log?connectionId=${connectionId}`, token)).filter(
    (line: any) => line.kind === 'product'
  )
}

const coffeeMill = { Id: 777 } // KM-1, EAN 4006381333931, 850 g, 12 × 12 × 20.5 cm
const bigMill = {
  Id: 780,
  SKU: 'KM-2',
  EAN: '4006381333948',
  Title: [{ Text: 'Kaffeemühle groß', LanguageCode: 'DE' }],
  Weight: 1200,
  LengthCm: 15,
  WidthCm: 10,
  HeightCm: 30,
}
const millSet = {
  Id: 790,
  SKU: 'SET-1',
  EAN: '4006381333962',
  Type: 2,
  Title: [{ Text: 'Mühlen-Set', LanguageCode: 'DE' }],
  BillOfMaterial: [
    { Amount: 1, ArticleId: 777, SKU: 'KM-1' },
    { Amount: 1, ArticleId: 780, SKU: 'KM-2' },
  ],
}

describe('products to Wemalo', () => {
  it('WM4, BB6, WM6: Billbee products reach Wemalo with SKU, EAN, cm and g; a bundle is not sent, its components are; goods-order positions name them by the same externalId', async () => {
    const { host, tenant, destination } = await wemaloWarehouse()
    await billbeeSource(tenant.token, destination.id, {
      products: [coffeeMill, bigMill, millSet],
      orders: [billbeeOrderPayload({ BillBeeOrderId: 811 })],
    })
    const products = await waitForProducts(host, 2)
    expect(products.map((product) => product.externalId).sort()).toEqual(['KM-1', 'KM-2'])
    const big = products.find((product) => product.externalId === 'KM-2')
    expect(big).toMatchObject({
      sku: 'KM-2',
      ean: '4006381333948',
      name: 'Kaffeemühle groß',
      productGroup: 'default',
      depth: 15,
      width: 10,
      height: 30,
      grossWeight: 1200,
    })
    expect(products.find((product) => product.externalId === 'KM-1')).toMatchObject({ height: 20.5, grossWeight: 850 })
    expect(await addCalls(host)).toHaveLength(1)

    const log = await waitFor(async () => {
      const lines = await productLog(tenant.token, destination.id)
      return lines.length ? lines : null
    })
    expect(log).toEqual([expect.objectContaining({ externalId: 'SET-1', result: 'skipped', rule: 'BB6' })])

    // WM6: the goods order of an order for KM-1 names the product as Wemalo knows it.
    const goodsOrder = await waitFor(async () => (await wemalo(host, '/_sim/goodsOrders')).goodsOrders[0], {
      what: 'goods order',
      timeoutMs: 30_000,
    })
    const positions = goodsOrder.body.positions.map((position: any) => position.externalId)
    expect(positions).toEqual(['KM-1'])
    expect(goodsOrder.body.meta.externalIdMatch).toBe('sku')
    expect(products.map((product) => product.externalId)).toEqual(expect.arrayContaining(positions))
    expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
  })

  it('WM5, BB5: a change is sent with PUT /product/update/{externalId}, with the dimensions first sent; unchanged products cost no call', async () => {
    const { host, tenant, destination } = await wemaloWarehouse({ weightUnit: 'kg', productGroup: 'kitchen' })
    const { apiKey, source } = await billbeeSource(tenant.token, destination.id, { products: [coffeeMill, bigMill] })
    await waitForProducts(host, 2)
    expect((await productsAt(host)).find((product) => product.externalId === 'KM-2')).toMatchObject({
      grossWeight: 1.2,
      productGroup: 'kitchen',
    })

    // Unchanged: a poll that re-reads the same products, and a scheduled run, send nothing.
    const before = (await productCalls(host)).length
    const { jobId } = await apiJson(`/api/v1/connections/${source.id}/sync`, {
      token: tenant.token,
      body: { mode: 'poll' },
    })
    await waitForJob(jobId)
    await sendProductsToWarehouse(env, destination.id)
    expect((await productCalls(host)).length).toBe(before)

    // A new name and a new size: the name goes to Wemalo, the size stays as first sent (BB5).
    await billbee(apiKey, '/_sim/products', {
      products: [{ ...bigMill, Title: [{ Text: 'Kaffeemühle XXL', LanguageCode: 'DE' }], Weight: 2000, HeightCm: 40 }],
    })
    const again = await apiJson(`/api/v1/connections/${source.id}/sync`, {
      token: tenant.token,
      body: { mode: 'poll' },
    })
    await waitForJob(again.jobId)
    const update = await waitFor(async () =>
      (await productCalls(host)).find((request: any) => request.method === 'PUT')
    )
    expect(update.path).toBe('/v1/product/update/KM-2')
    expect(update.body).toMatchObject({
      externalId: 'KM-2',
      sku: 'KM-2',
      name: 'Kaffeemühle XXL',
      grossWeight: 1.2,
      height: 30,
    })
    expect((await productsAt(host)).find((product) => product.externalId === 'KM-2')).toMatchObject({
      name: 'Kaffeemühle XXL',
      height: 30,
    })
    expect(await addCalls(host)).toHaveLength(1)
    expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
  })

  it('WM4, BB4: a product without EAN is rejected with rule WM4; one whose SKU another product holds at Wemalo is rejected with BB4', async () => {
    const { host, tenant, destination } = await wemaloWarehouse()
    await billbeeSource(tenant.token, destination.id, { products: [bigMill] })
    await waitForProducts(host, 1)
    // A second source whose products are matched by id: its KM-2 is another hub product.
    const { source: other } = await billbeeSource(tenant.token, destination.id)
    const now = new Date().toISOString()
    await env.DB.batch([
      env.DB.prepare(
        `insert into products (id, tenant_id, name, sku, ean, updated_at) values (?, ?, 'Fremde Mühle', 'KM-2', '4006381339999', ?),
         (?, ?, 'Ohne EAN', 'NO-EAN-1', null, ?)`
      ).bind(`prd_${uniqueName()}`, tenant.id, now, `prd_${uniqueName()}`, tenant.id, now),
    ])
    const ids = await env.DB.prepare(
      `select id, sku from products where tenant_id = ? and sku in ('KM-2', 'NO-EAN-1') and name <> 'Kaffeemühle groß'`
    )
      .bind(tenant.id)
      .all<{ id: string; sku: string }>()
    await env.DB.batch(
      ids.results.map((row) =>
        env.DB.prepare(
          `insert into mappings (connection_id, kind, external_id, internal_id) values (?, 'product', ?, ?)`
        ).bind(other.id, row.sku, row.id)
      )
    )
    await sendProductsToWarehouse(env, destination.id)
    const log = await productLog(tenant.token, destination.id)
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ externalId: 'NO-EAN-1', result: 'rejected', rule: 'WM4' }),
        expect.objectContaining({ externalId: 'KM-2', result: 'rejected', rule: 'BB4' }),
      ])
    )
    expect(await productsAt(host)).toHaveLength(1)
    // Decided once: the next run neither calls nor logs again.
    const calls = (await productCalls(host)).length
    await sendProductsToWarehouse(env, destination.id)
    expect((await productCalls(host)).length).toBe(calls)
    expect(await productLog(tenant.token, destination.id)).toHaveLength(log.length)
  })

  it(`WM4: ${WEMALO_PRODUCT_BATCH * 2 + 30} new products cost ⌈n / ${WEMALO_PRODUCT_BATCH}⌉ addMultiple calls`, async () => {
    const count = WEMALO_PRODUCT_BATCH * 2 + 30
    const { host, tenant, destination } = await wemaloWarehouse()
    const products = Array.from({ length: count }, (_, index) => ({
      Id: 50_000 + index,
      SKU: `P-${index}`,
      EAN: String(4_000_000_000_000 + index),
      Title: [{ Text: `Produkt ${index}`, LanguageCode: 'DE' }],
    }))
    await billbeeSource(tenant.token, destination.id, { products })
    await waitForProducts(host, count)
    const adds = await addCalls(host)
    expect(adds).toHaveLength(Math.ceil(count / WEMALO_PRODUCT_BATCH))
    expect(adds.map((request: any) => request.body.products.length)).toEqual([100, 100, 30])
    expect((await productCalls(host)).length).toBe(adds.length)
  })

  it('WM4: WooCommerce products with SKU and global_unique_id reach Wemalo in g and cm from the store units; one without EAN is rejected (WM4)', async () => {
    const { host, tenant, destination } = await wemaloWarehouse()
    const woo = `${uniqueName('site')}.woo.example`
    await simulatorCall(woo, '/_sim/site', { consumerKey: 'ck_p', consumerSecret: 'cs_p', webhookSecret: 'woo-secret' })
    await simulatorCall(woo, '/_sim/products', {
      products: [
        {
          id: 301,
          name: 'Teekanne',
          sku: 'TEA-1',
          global_unique_id: '4006381333979',
          weight: '0.85',
          dimensions: { length: '120', width: '120', height: '205' },
          categories: [],
        },
        { id: 302, name: 'Tasse', sku: 'CUP-1', global_unique_id: '', categories: [] },
      ],
    })
    const source = await createConnection(tenant.token, {
      platform: 'woocommerce',
      credentials: {
        siteUrl: `https://${woo}`,
        consumerKey: 'ck_p',
        consumerSecret: 'cs_p',
        webhookSecret: 'woo-secret',
      },
      settings: { dimensionUnit: 'mm', registerWebhooks: false },
      routes: [destination.id],
    })
    await waitForJob(source.backfillJobId!, 60_000)
    const [teapot] = await waitForProducts(host, 1)
    expect(teapot).toMatchObject({
      externalId: 'TEA-1',
      sku: 'TEA-1',
      ean: '4006381333979',
      grossWeight: 850,
      depth: 12,
      width: 12,
      height: 20.5,
    })
    const log = await waitFor(async () => {
      const lines = await productLog(tenant.token, destination.id)
      return lines.length ? lines : null
    })
    expect(log).toEqual([expect.objectContaining({ externalId: 'CUP-1', result: 'rejected', rule: 'WM4' })])
    expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
  })

  it('WM4, BB6: plentymarkets variations with barcodes reach Wemalo (mm → cm); a bundle is not sent; one without barcode is rejected (WM4)', async () => {
    const { host, tenant, destination } = await wemaloWarehouse()
    const { host: plentyHost, connection } = await plentyConnection(tenant.token, {
      routes: [destination.id],
      variations: [
        { id: 1012 },
        { id: 1013, number: 'HOCKER-1', name: 'Hocker', variationBarcodes: [] },
        {
          id: 1014,
          number: 'SET-SESSEL',
          name: 'Sessel mit Hocker',
          bundleType: 'bundle',
          variationBarcodes: [{ barcodeId: 1, code: '4006381333993' }],
          variationBundleComponents: [
            { componentVariationId: 1012, componentQuantity: 1 },
            { componentVariationId: 1013, componentQuantity: 1 },
          ],
        },
      ],
    })
    await waitForJob(connection.backfillJobId!, 60_000)
    const [chair] = await waitForProducts(host, 1)
    expect(chair).toMatchObject({
      externalId: 'SESSEL-BW',
      sku: 'SESSEL-BW',
      ean: '4006381333986',
      name: 'Sessel, blau-weiß',
      depth: 80,
      width: 75,
      height: 95,
      grossWeight: 8200,
    })
    const log = await waitFor(async () => {
      const lines = await productLog(tenant.token, destination.id)
      return lines.length >= 2 ? lines : null
    })
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ externalId: 'HOCKER-1', result: 'rejected', rule: 'WM4' }),
        expect.objectContaining({ externalId: 'SET-SESSEL', result: 'skipped', rule: 'BB6' }),
      ])
    )
    const plenty = await simulatorCall(plentyHost, '/_sim/requests')
    expect(plenty.violations).toEqual([])
    expect(plenty.requests.find((request: any) => request.path === '/rest/items/variations').query).toMatchObject({
      with: ['variationBarcodes,variationBundleComponents'],
    })
    expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
  })

  it('WM4: concurrent runs for one destination add each product once', async () => {
    const { host, tenant, destination } = await wemaloWarehouse()
    const products = Array.from({ length: 40 }, (_, index) => ({
      Id: 60_000 + index,
      SKU: `R-${index}`,
      EAN: String(4_100_000_000_000 + index),
    }))
    // Imported before the route exists, so only the runs below send them.
    const { source } = await billbeeSource(tenant.token, null, { products })
    await apiJson(`/api/v1/connections/${source.id}`, {
      method: 'PATCH',
      token: tenant.token,
      body: { routes: [destination.id] },
    })
    await Promise.all([1, 2, 3].map(() => sendProductsToWarehouse(env, destination.id)))
    expect(await productsAt(host)).toHaveLength(40)
    const added = (await addCalls(host)).flatMap((request: any) => request.body.products.map((p: any) => p.externalId))
    expect(added).toHaveLength(40)
    expect(new Set(added).size).toBe(40)
  })

  it('WM4: a retry after a lost answer looks the products up and does not add them twice', async () => {
    const { host, tenant, destination } = await wemaloWarehouse()
    // The first addMultiple creates the products but its answer is lost (500).
    await wemalo(host, '/_sim/faults', { status: 500, mode: 'lost', count: 1, path: '/product/addMultiple' })
    await billbeeSource(tenant.token, destination.id, { products: [coffeeMill, bigMill] })
    await waitFor(
      async () => {
        const { results } = await env.DB.prepare(
          `select result, detail, attempts from outbound_calls where connection_id = ? and action like 'products:%:add:%'`
        )
          .bind(destination.id)
          .all<{ result: string; detail: string; attempts: number }>()
        return results[0]?.result === 'done' ? results : null
      },
      { what: 'the add step done', timeoutMs: 30_000 }
    )
    expect(await addCalls(host)).toHaveLength(1)
    const lookups = (await productCalls(host)).filter((request: any) => request.path.startsWith('/v1/product/get/'))
    expect(lookups.map((request: any) => request.path).sort()).toEqual(['/v1/product/get/KM-1', '/v1/product/get/KM-2'])
    expect((await productsAt(host)).map((product) => product.externalId).sort()).toEqual(['KM-1', 'KM-2'])
    // Found as sent: nothing more to do.
    const calls = (await productCalls(host)).length
    await sendProductsToWarehouse(env, destination.id)
    expect((await productCalls(host)).length).toBe(calls)
  })

  describe('Shopify variants', () => {
    const grinder = {
      id: 8_100_001,
      title: 'Kaffeemühle',
      variants: [
        { id: 9_100_001, title: 'Schwarz', sku: 'KM-S', barcode: '4006381333931', weight: 0.85, weight_unit: 'kg' },
        { id: 9_100_002, title: 'Weiß', sku: 'KM-W', barcode: '4006381333948', weight: 30, weight_unit: 'oz' },
      ],
    }
    const filter = {
      id: 8_100_002,
      title: 'Papierfilter',
      variants: [{ id: 9_100_003, title: 'Default Title', sku: 'FI-1', barcode: '', weight: 120, weight_unit: 'g' }],
    }

    async function shopifySource(tenantToken: string, destinationId: string) {
      const shop = await simulatedShop()
      await simulatorCall(shop.shopDomain, '/_sim/products', { products: [grinder, filter] })
      await simulatorCall(shop.shopDomain, '/_sim/orders', {
        orders: [
          {
            currency: 'EUR',
            line_items: [
              { sku: 'KM-S', variant_id: 9_100_001, product_id: 8_100_001, name: 'Kaffeemühle - Schwarz', quantity: 1 },
            ],
          },
        ],
      })
      const source = await createConnection(tenantToken, {
        platform: 'shopify',
        credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
        settings: { registerWebhooks: false },
        routes: [destinationId],
      })
      await waitForJob(source.backfillJobId!, 60_000)
      return { shop, source }
    }

    it('WM4, WM5, WM6: Shopify variants reach Wemalo via addMultiple (SKU, barcode as EAN, "title - variant title", weight in g); a variant without barcode is rejected with WM4; the goods order names the variant by the same externalId', async () => {
      const { host, tenant, destination } = await wemaloWarehouse()
      const { shop } = await shopifySource(tenant.token, destination.id)
      const products = await waitForProducts(host, 2)
      expect(products.map((product) => product.externalId).sort()).toEqual(['KM-S', 'KM-W'])
      expect(products.find((product) => product.externalId === 'KM-S')).toMatchObject({
        sku: 'KM-S',
        ean: '4006381333931',
        name: 'Kaffeemühle - Schwarz',
        grossWeight: 850,
      })
      // 30 oz; Shopify keeps no dimensions on a variant.
      const white = products.find((product) => product.externalId === 'KM-W')
      expect(white.grossWeight).toBeCloseTo(850.486, 3)
      expect(white.height ?? null).toBeNull()
      expect(await addCalls(host)).toHaveLength(1)

      const log = await waitFor(async () => {
        const lines = await productLog(tenant.token, destination.id)
        return lines.length ? lines : null
      })
      expect(log).toEqual([expect.objectContaining({ externalId: 'FI-1', result: 'rejected', rule: 'WM4' })])

      const goodsOrder = await waitFor(async () => (await wemalo(host, '/_sim/goodsOrders')).goodsOrders[0], {
        what: 'goods order',
        timeoutMs: 30_000,
      })
      expect(goodsOrder.body.positions.map((position: any) => position.externalId)).toEqual(['KM-S'])

      // Read as orders are: products.json with Shopify's limit, paced through the same bucket.
      const reads = (await simulatorCall(shop.shopDomain, '/_sim/requests')).filter((request: any) =>
        request.path.endsWith('/products.json')
      )
      expect(reads.map((request: any) => request.query)).toEqual([{ limit: '250' }])
      expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
    })

    it('WM5: products/update and products/create webhooks keep Wemalo current: a change goes with PUT /product/update/{externalId}, a new variant with addMultiple', async () => {
      const { host, tenant, destination } = await wemaloWarehouse()
      const { shop, source } = await shopifySource(tenant.token, destination.id)
      await waitForProducts(host, 2)

      const deliver = async (topic: string, product: unknown) => {
        const signed = await simulatorCall(shop.shopDomain, '/_sim/webhooks/send', { topic, product })
        const response = await deliverWebhook(source.id, shop.shopDomain, signed.rawBody, { topic })
        expect(response.status).toBe(202)
      }
      await deliver('products/update', {
        ...grinder,
        title: 'Kaffeemühle Classic',
        updated_at: new Date().toISOString(),
        variants: grinder.variants,
      })
      const update = await waitFor(
        async () => (await productCalls(host)).find((request: any) => request.method === 'PUT'),
        { what: 'the update', timeoutMs: 30_000 }
      )
      expect(update.path).toMatch(/^\/v1\/product\/update\/KM-[SW]$/)
      await waitFor(async () => {
        const names = (await productsAt(host)).map((product) => product.name).sort()
        return names[0] === 'Kaffeemühle Classic - Schwarz' && names[1] === 'Kaffeemühle Classic - Weiß'
      })

      await deliver('products/create', {
        id: 8_100_003,
        title: 'Mahlwerk',
        variants: [
          {
            id: 9_100_004,
            title: 'Default Title',
            sku: 'MW-1',
            barcode: '4006381333955',
            weight: 0.2,
            weight_unit: 'kg',
          },
        ],
      })
      const created = await waitFor(async () =>
        (await productsAt(host)).find((product) => product.externalId === 'MW-1')
      )
      expect(created).toMatchObject({ name: 'Mahlwerk', ean: '4006381333955', grossWeight: 200 })
      expect(await addCalls(host)).toHaveLength(2)
      expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
    })

    it('WM5: the poll reads the products updated since its last run (updated_at_min) and sends their changes', async () => {
      const { host, tenant, destination } = await wemaloWarehouse()
      const { shop, source } = await shopifySource(tenant.token, destination.id)
      await waitForProducts(host, 2)
      await simulatorCall(shop.shopDomain, '/_sim/products', {
        products: [{ ...filter, variants: [{ ...filter.variants[0], barcode: '4006381333962' }] }],
      })
      const { jobId } = await apiJson(`/api/v1/connections/${source.id}/sync`, {
        token: tenant.token,
        body: { mode: 'poll' },
      })
      await waitForJob(jobId)
      const added = await waitFor(async () => (await productsAt(host)).find((product) => product.externalId === 'FI-1'))
      expect(added).toMatchObject({ name: 'Papierfilter', ean: '4006381333962', grossWeight: 120 })
      const reads = (await simulatorCall(shop.shopDomain, '/_sim/requests')).filter((request: any) =>
        request.path.endsWith('/products.json')
      )
      expect(reads).toHaveLength(2)
      expect(Date.parse(reads[1].query.updated_at_min)).toBeGreaterThan(Date.now() - 60 * 60_000)
    })
  })

  describe('WooCommerce variations', () => {
    const VARIATIONS = 105
    const shirt = {
      id: 401,
      name: 'T-Shirt',
      type: 'variable',
      // The variable product is no article, even with codes of its own.
      sku: 'TS',
      global_unique_id: '4006381330000',
      categories: [],
      variations: Array.from({ length: VARIATIONS }, (_, index) => ({
        id: 5000 + index,
        sku: `TS-${index}`,
        // The last one has no GTIN.
        global_unique_id: index === VARIATIONS - 1 ? '' : String(4_200_000_000_000 + index),
        weight: '0.2',
        dimensions: { length: '30', width: '20', height: '2' },
        attributes: [{ id: 1, name: 'Size', option: `Size ${index}` }],
      })),
    }

    it('WM4, WM5, WM6: WooCommerce variations reach Wemalo via addMultiple, read 100 per page; the variable product is not sent; a variation without global_unique_id is rejected (WM4); a variation webhook sends its change', async () => {
      const { host, tenant, destination } = await wemaloWarehouse()
      const woo = `${uniqueName('site')}.woo.example`
      await simulatorCall(woo, '/_sim/site', {
        consumerKey: 'ck_v',
        consumerSecret: 'cs_v',
        webhookSecret: 'woo-secret',
      })
      await simulatorCall(woo, '/_sim/products', { products: [shirt] })
      const source = await createConnection(tenant.token, {
        platform: 'woocommerce',
        credentials: {
          siteUrl: `https://${woo}`,
          consumerKey: 'ck_v',
          consumerSecret: 'cs_v',
          webhookSecret: 'woo-secret',
        },
        settings: { registerWebhooks: false },
        routes: [destination.id],
      })
      await waitForJob(source.backfillJobId!, 60_000)
      const products = await waitForProducts(host, VARIATIONS - 1)
      expect(products).toHaveLength(VARIATIONS - 1)
      expect(products.map((product) => product.externalId)).not.toContain('TS')
      expect(products.find((product) => product.externalId === 'TS-7')).toMatchObject({
        sku: 'TS-7',
        ean: '4200000000007',
        name: 'T-Shirt - Size 7',
        grossWeight: 200,
        depth: 30,
        width: 20,
        height: 2,
      })
      expect((await addCalls(host)).map((request: any) => request.body.products.length)).toEqual([100, 4])
      const log = await waitFor(async () => {
        const lines = await productLog(tenant.token, destination.id)
        return lines.length ? lines : null
      })
      expect(log).toEqual([
        expect.objectContaining({ externalId: `TS-${VARIATIONS - 1}`, result: 'rejected', rule: 'WM4' }),
      ])
      const pages = (await simulatorCall(woo, '/_sim/requests'))
        .filter((request: any) => request.path === '/wp-json/wc/v3/products/401/variations')
        .map((request: any) => [request.query.page, request.query.per_page, request.status])
      expect(pages).toEqual([
        ['1', '100', 200],
        ['2', '100', 200],
      ])

      // WooCommerce fires product.updated for a variation with the variation as the body.
      const variation = (await (
        await fetch(`https://${woo}/wp-json/wc/v3/products/5003`, {
          headers: { authorization: `Basic ${btoa('ck_v:cs_v')}` },
        })
      ).json()) as Record<string, unknown>
      const body = wooJson({
        ...variation,
        name: 'T-Shirt - Größe 3',
        price: '9.00',
        date_modified_gmt: '2030-01-01T00:00:00',
      })
      const response = await api(`/webhooks/woocommerce/${source.id}`, {
        method: 'POST',
        headers: await wooWebhookHeaders('woo-secret', 'product.updated', body),
        rawBody: body,
      })
      expect(response.status).toBe(202)
      const update = await waitFor(
        async () => (await productCalls(host)).find((request: any) => request.method === 'PUT'),
        { what: 'the update', timeoutMs: 30_000 }
      )
      expect(update.path).toBe('/v1/product/update/TS-3')
      expect(update.body).toMatchObject({ name: 'T-Shirt - Größe 3', ean: '4200000000003' })
      expect((await wemalo(host, '/_sim/state')).violations).toEqual([])
    })
  })
})
