import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  apiJson,
  createConnection,
  createTenant,
  listAll,
  runCron,
  simulatorCall,
  uniqueName,
  waitFor,
  waitForJob,
} from '../helpers'
import { wooGmt, wooJson, wooOrderPayload, wooWebhookHeaders } from '../simulators/woocommerce'

const SECRET = 'woo-webhook-secret'
const CATEGORIES = [
  { id: 9, name: 'Kitchen', parent: 0 },
  { id: 14, name: 'Teapots', parent: 9 },
]

const site = (path: string, body: unknown, host: string) => simulatorCall(host, path, body)

async function wooSetup(seed: { orders?: unknown[] } = {}) {
  const host = `${uniqueName('site')}.woo.example`
  await site(
    '/_sim/site',
    { consumerKey: 'ck_test', consumerSecret: 'cs_test', webhookSecret: SECRET, categories: CATEGORIES },
    host
  )
  await site(
    '/_sim/products',
    {
      products: [
        {
          id: 93,
          name: 'Teapot',
          sku: 'TEA-1',
          categories: [
            { id: 14, name: 'Teapots' },
            { id: 9, name: 'Kitchen' },
          ],
        },
      ],
    },
    host
  )
  if (seed.orders) await site('/_sim/orders', { orders: seed.orders }, host)
  const tenant = await createTenant('EUR')
  const connection = await createConnection(tenant.token, {
    platform: 'woocommerce',
    credentials: {
      siteUrl: `https://${host}`,
      consumerKey: 'ck_test',
      consumerSecret: 'cs_test',
      webhookSecret: SECRET,
    },
    settings: { shipmentTracking: true },
  })
  return { host, tenant, connection }
}

async function deliver(connectionId: string, topic: string, resource: unknown) {
  const body = wooJson(resource)
  return api(`/webhooks/woocommerce/${connectionId}`, {
    method: 'POST',
    headers: await wooWebhookHeaders(SECRET, topic, body),
    rawBody: body,
  })
}

const ordersOf = async (token: string, connectionId: string) =>
  (await apiJson(`/api/v1/orders?connectionId=${connectionId}`, { token })).items as any[]

async function inboxRows(connectionId: string) {
  const stored = await env.DB.prepare('select count(*) as n from inbox where connection_id = ?')
    .bind(connectionId)
    .first<{ n: number }>()
  return stored!.n
}

describe('WooCommerce end to end', () => {
  it('G1, WC3: webhook → hub → shipped + written off → completed with a tracking note on the site', async () => {
    const order = wooOrderPayload({ id: 501 })
    const { host, tenant, connection } = await wooSetup({ orders: [order] })
    await waitForJob(connection.backfillJobId!)
    const changed = { ...order, date_modified_gmt: wooGmt(new Date(Date.now() + 1000)), total: '30.00' }
    expect((await deliver(connection.id, 'order.updated', changed)).status).toBe(202)
    const [summary] = await waitFor(
      async () => {
        const items = await ordersOf(tenant.token, connection.id)
        return items.length && items[0].total === '30.00' ? items : null
      },
      { what: 'updated order' }
    )
    const full = await apiJson(`/api/v1/orders/${summary.id}`, { token: tenant.token })
    expect(full.customer).toMatchObject({ phone: '+49 170 7654321', email: 'erika@example.com' })
    expect(full.lines[0]).toMatchObject({ sku: 'TEA-1', code: '93', quantity: 2 })

    await apiJson(`/api/v1/orders/${summary.id}/events`, {
      token: tenant.token,
      body: { type: 'shipped', tracking: [{ number: '00340434', carrier: 'DHL' }] },
    })
    const afterShipped = await waitFor(
      async () => {
        const stored = await site(`/_sim/orders/501`, undefined, host)
        return stored.notes.length ? stored : null
      },
      { what: 'tracking note' }
    )
    expect(afterShipped.status).toBe('processing')
    expect(afterShipped.notes[0].note).toContain('00340434')
    expect(
      afterShipped.meta_data.find((meta: any) => meta.key === '_wc_shipment_tracking_items').value[0]
    ).toMatchObject({ tracking_number: '00340434' })

    await apiJson(`/api/v1/orders/${summary.id}/events`, { token: tenant.token, body: { type: 'written_off' } })
    await waitFor(async () => (await site(`/_sim/orders/501`, undefined, host)).status === 'completed', {
      what: 'completed',
    })
  })

  it('P5, WC6: a webhook order files its product under the highest assigned category', async () => {
    const { tenant, connection } = await wooSetup()
    await deliver(connection.id, 'order.created', wooOrderPayload({ id: 502 }))
    await waitFor(async () => (await ordersOf(tenant.token, connection.id)).length, { what: 'order' })
    const categories = await apiJson('/api/v1/categories', { token: tenant.token })
    expect(categories.items.map((category: any) => category.name)).toEqual(['Kitchen'])
  })

  it('the unsigned ping gets exactly 200 and nothing is stored', async () => {
    const { connection } = await wooSetup()
    const response = await api(`/webhooks/woocommerce/${connection.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'WooCommerce/9.8.0 Hookshot (WordPress/6.8)',
      },
      rawBody: 'webhook_id=2',
    })
    expect(response.status).toBe(200)
    const stored = await env.DB.prepare('select count(*) as n from inbox where connection_id = ?')
      .bind(connection.id)
      .first<{ n: number }>()
    expect(stored!.n).toBe(0)
  })

  it('the same state delivered twice is a duplicate, a newer state is not', async () => {
    const { connection } = await wooSetup()
    const order = wooOrderPayload({ id: 503 })
    expect((await deliver(connection.id, 'order.updated', order)).status).toBe(202)
    expect((await deliver(connection.id, 'order.updated', order)).status).toBe(202)
    expect(
      (await deliver(connection.id, 'order.updated', { ...order, date_modified_gmt: '2099-01-01T00:00:00' })).status
    ).toBe(202)
    // The consumer stores each state once under its delivery key: two states, two inbox rows.
    await waitFor(async () => (await inboxRows(connection.id)) === 2, { what: 'two stored states' })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await inboxRows(connection.id)).toBe(2)
  })

  it('a replayed signed body is a duplicate whatever unsigned headers it comes with', async () => {
    const { connection } = await wooSetup()
    const body = wooJson(wooOrderPayload({ id: 505 }))
    const send = async (topic: string, change: (headers: Record<string, string>) => void = () => {}) => {
      const headers: Record<string, string> = await wooWebhookHeaders(SECRET, topic, body)
      change(headers)
      return api(`/webhooks/woocommerce/${connection.id}`, { method: 'POST', headers, rawBody: body })
    }
    expect((await send('order.created')).status).toBe(202)
    const replays = [
      await send('order.created', (headers) => (headers['x-wc-webhook-source'] = 'https://another.woo.example/')),
      await send('order.created', (headers) => delete headers['x-wc-webhook-delivery-id']),
      await send('order.updated'),
      await send('product.updated'),
    ]
    // Replays are queued (202) and found by their delivery key; a topic the body contradicts is ignored (200).
    expect(replays.map((response) => response.status)).toEqual([202, 202, 202, 200])
    await waitFor(async () => (await inboxRows(connection.id)) >= 1, { what: 'stored delivery' })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await inboxRows(connection.id)).toBe(1)
  })

  it('WC2: an order without products is rejected and the import log names the rule', async () => {
    const { tenant, connection } = await wooSetup()
    await deliver(connection.id, 'order.created', wooOrderPayload({ id: 504, line_items: [] }))
    const entry = await waitFor(
      async () =>
        (await apiJson(`/api/v1/import-log?connectionId=${connection.id}&result=rejected`, { token: tenant.token }))
          .items[0],
      { what: 'rejection' }
    )
    expect(entry).toMatchObject({ rule: 'WC2', externalId: '504' })
  })

  it('WC1: the backfill reads two months at 100 a page and leaves out finished orders', async () => {
    const old = wooGmt(new Date(Date.now() - 90 * 86_400_000))
    const orders = [
      ...Array.from({ length: 230 }, (_, index) => wooOrderPayload({ id: 10_000 + index })),
      wooOrderPayload({ id: 20_001, status: 'completed' }),
      wooOrderPayload({ id: 20_002, status: 'checkout-draft' }),
      wooOrderPayload({ id: 20_003, date_created_gmt: old, date_modified_gmt: old }),
    ]
    const { host, tenant, connection } = await wooSetup({ orders })
    expect((await waitForJob(connection.backfillJobId!)).status).toBe('done')
    const imported = await listAll(`/api/v1/orders?connectionId=${connection.id}`, tenant.token)
    expect(imported).toHaveLength(230)
    const requests = (await site('/_sim/requests', undefined, host)).requests.filter((request: any) =>
      request.path.endsWith('/orders')
    )
    expect(requests.map((request: any) => request.query.page)).toEqual(['1', '2', '3'])
    expect(
      requests.every((request: any) => request.query.per_page === '100' && request.query.dates_are_gmt === 'true')
    ).toBe(true)
    const skipped = await listAll(`/api/v1/import-log?connectionId=${connection.id}&result=skipped`, tenant.token)
    expect(skipped.map((entry) => entry.rule ?? null).sort()).toEqual(['WC1', null])
  })

  it('the poll imports what no webhook brought and says so in the import log', async () => {
    const { host, tenant, connection } = await wooSetup()
    await waitForJob(connection.backfillJobId!)
    await site('/_sim/orders', { orders: [wooOrderPayload({ id: 505 })] }, host)
    await runCron()
    const entry = await waitFor(
      async () =>
        // The backfill's products are logged as created too.
        (
          await apiJson(`/api/v1/import-log?connectionId=${connection.id}&result=created`, { token: tenant.token })
        ).items.find((item: { kind: string }) => item.kind === 'order'),
      { what: 'polled order' }
    )
    expect(entry).toMatchObject({ externalId: '505', reason: expect.stringContaining('no webhook') })
    const poll = (await site('/_sim/requests', undefined, host)).requests.find(
      (request: any) => request.query.modified_after
    )
    expect(poll.query).toMatchObject({ dates_are_gmt: 'true', orderby: 'id' })
  })
})
