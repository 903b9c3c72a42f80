/**
 * RT2 for the other back-ends: a `returned` event (here reported by the back-office API; Wemalo's
 * bookings take the same write-back path, see wemalo-returns.test.ts) reaches Billbee as the tag
 * `returned_by_<ordersTag>` and a message, WooCommerce as an order note, Shopify as a paragraph of
 * the order note. Each write is an outbound step: the same write-back run again writes nothing
 * twice. Nothing is refunded or restocked. `order.returned` reaches the hub webhooks.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  apiJson,
  createConnection,
  createTenant,
  listAll,
  simulatorCall,
  uniqueName,
  waitFor,
  waitForJob,
} from '../helpers'
import { handleSyncMessage } from '../../src/queue/sync'
import { billbeeOrderPayload } from '../simulators/billbee'
import { shopifyOrderPayload } from '../simulators/shopify'
import { wooOrderPayload } from '../simulators/woocommerce'
import { simulatedShop, WEBHOOK_SECRET } from './shopify-support'
import { billbeeSim } from './billbee-support'

const billbee = billbeeSim

async function onlyOrder(token: string, connectionId: string): Promise<any> {
  const [summary] = await waitFor(async () => {
    const items = await listAll(`/api/v1/orders?connectionId=${connectionId}`, token)
    return items.length ? items : null
  })
  return apiJson(`/api/v1/orders/${summary.id}`, { token })
}

/** Reports the return, waits for its write-back, then runs the same write-back again. */
async function returnAndWriteBackTwice(token: string, order: any, settled: () => Promise<boolean>) {
  const { id: eventId } = await apiJson(`/api/v1/orders/${order.id}/events`, {
    token,
    body: { type: 'returned', lines: [{ lineId: order.lines[0].id, quantity: 1 }], reason: 'too small' },
  })
  await waitFor(settled, { what: 'the return written back', timeoutMs: 30_000 })
  // The same write-back once more, as a redelivered queue message runs it: nothing is written again.
  await handleSyncMessage(env, { type: 'write-back', eventId })
  return listAll(`/api/v1/outbound-calls?orderId=${order.id}`, token)
}

describe('Returns written back (RT2)', () => {
  it('RT2, BB1: Billbee gets the tag returned_by_<ordersTag> and one message naming the lines and the reason', async () => {
    const apiKey = uniqueName('key')
    await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
    await billbee(apiKey, '/_sim/orders', { orders: [billbeeOrderPayload({ BillBeeOrderId: 901 })] })
    const tenant = await createTenant('EUR')
    const source = await createConnection(tenant.token, {
      platform: 'billbee',
      credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
      settings: { ordersTag: 'kontor' },
    })
    await waitForJob(source.backfillJobId!, 60_000)
    const order = await onlyOrder(tenant.token, source.id)

    const calls = await returnAndWriteBackTwice(tenant.token, order, async () => {
      const current = await billbee(apiKey, '/_sim/orders/901')
      return current.Tags.includes('returned_by_kontor') && current.messages.length > 0
    })
    const inBillbee = await billbee(apiKey, '/_sim/orders/901')
    expect(inBillbee.messages).toHaveLength(1)
    expect(inBillbee.messages[0]).toMatchObject({ IsInternal: true, SenderName: 'Kontor' })
    expect(inBillbee.messages[0].Text).toContain(`1 × ${order.lines[0].sku}`)
    expect(inBillbee.messages[0].Text).toContain('too small')
    expect(inBillbee.State).not.toBe(4)
    expect(calls.filter((call: any) => call.action === 'write-back:returned:message')).toHaveLength(1)
    const { violations, requests } = await billbee(apiKey, '/_sim/requests')
    expect(violations).toEqual([])
    expect(requests.filter((request: any) => /refund|stock/i.test(request.path))).toEqual([])
  })

  it('RT2: WooCommerce gets one order note naming the lines and the reason, no refund and no restock', async () => {
    const host = `${uniqueName('site')}.woo.example`
    await simulatorCall(host, '/_sim/site', { consumerKey: 'ck_r', consumerSecret: 'cs_r', webhookSecret: 'whsec' })
    await simulatorCall(host, '/_sim/orders', { orders: [wooOrderPayload({ id: 601 })] })
    const tenant = await createTenant('EUR')
    const source = await createConnection(tenant.token, {
      platform: 'woocommerce',
      credentials: { siteUrl: `https://${host}`, consumerKey: 'ck_r', consumerSecret: 'cs_r', webhookSecret: 'whsec' },
      settings: { registerWebhooks: false },
    })
    await waitForJob(source.backfillJobId!)
    const order = await onlyOrder(tenant.token, source.id)

    await returnAndWriteBackTwice(
      tenant.token,
      order,
      async () => (await simulatorCall(host, '/_sim/orders/601')).notes.length > 0
    )
    const inWoo = await simulatorCall(host, '/_sim/orders/601')
    expect(inWoo.notes).toHaveLength(1)
    expect(inWoo.notes[0].note).toContain('too small')
    expect(inWoo.notes[0].customer_note).toBe(false)
    const { requests } = await simulatorCall(host, '/_sim/requests')
    expect(
      requests.filter((request: any) => /refunds|products/.test(request.path) && request.method !== 'GET')
    ).toEqual([])
  })

  it('RT2, SH2: Shopify gets the return added to the order note once (with fulfilmentSync on)', async () => {
    const shop = await simulatedShop()
    const now = new Date().toISOString()
    await simulatorCall(shop.shopDomain, '/_sim/orders', {
      orders: [shopifyOrderPayload({ id: 7790001, currency: 'USD', created_at: now, updated_at: now, note: 'Gift' })],
    })
    const tenant = await createTenant('USD')
    const source = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
      settings: { fulfilmentSync: true, registerWebhooks: false },
    })
    await waitForJob(source.backfillJobId!)
    const order = await onlyOrder(tenant.token, source.id)

    await returnAndWriteBackTwice(tenant.token, order, async () =>
      /Returned/.test((await simulatorCall(shop.shopDomain, '/_sim/orders/7790001')).note ?? '')
    )
    const inShopify = await simulatorCall(shop.shopDomain, '/_sim/orders/7790001')
    expect(inShopify.note.startsWith('Gift\n\n')).toBe(true)
    expect(inShopify.note.match(/Returned/g)).toHaveLength(1)
    expect(inShopify.note).toContain('too small')
    const { requests } = (await simulatorCall(shop.shopDomain, '/_sim/requests')) as { requests: any[] }
    expect(requests.filter((request) => request.method === 'PUT')).toHaveLength(1)
    expect(requests.filter((request) => /refund|inventory/.test(request.path))).toEqual([])
  })
})
