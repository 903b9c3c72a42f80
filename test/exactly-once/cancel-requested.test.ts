/**
 * The order status `cancel_requested` in the compare-and-set of the hand-over claim: an order
 * routed to two warehouses, handed to one and failed at the other, is cancelled by its source.
 * While the handed-over one is asked to cancel, the failed one must not ship it (a replay of its
 * dead letter runs the hand-over again); once the warehouse confirmed, the order is `cancelled`.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { shopifyOrderToCanonical } from '../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../src/connectors/shopify/schemas'
import { database } from '../../src/db/client'
import { runCancel } from '../../src/handover/cancel'
import { runHandover } from '../../src/handover/hand-over'
import { handoversToPoll } from '../../src/handover/record-reports'
import { importRecords } from '../../src/import/import-records'
import { createConnection, createTenant, simulatorCall, uniqueName } from '../helpers'
import { importTarget } from '../import/fixtures'
import { orderJson, simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'

const WEMALO_TOKEN = 'wemalo-jwt-cancel-requested'

async function warehouse(token: string) {
  const host = `${uniqueName('w')}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: WEMALO_TOKEN })
  const connection = await createConnection(token, {
    platform: 'wemalo',
    credentials: { token: WEMALO_TOKEN },
    settings: { baseUrl: `https://${host}/v1`, registerWebhooks: false },
  })
  const goodsOrders = async (orderId: string) =>
    ((await simulatorCall(host, '/_sim/goodsOrders')).goodsOrders as any[]).filter(
      (order) => order.externalId === orderId
    )
  return { connection, goodsOrders }
}

const statusOf = async (orderId: string) =>
  (await env.DB.prepare('select status from orders where id = ?').bind(orderId).first<{ status: string }>())!.status
const stateOf = async (handoverId: string) =>
  (await env.DB.prepare('select state from handovers where id = ?').bind(handoverId).first<{ state: string }>())!.state

describe('order status cancel_requested', () => {
  it('a failed hand-over is not handed over (replayed) while the source cancellation is requested of another destination; cancelled once that one confirms', async () => {
    const tenant = await createTenant('EUR')
    const [first, second] = [await warehouse(tenant.token), await warehouse(tenant.token)]
    const shop = await simulatedShop()
    const source = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
      settings: {},
    })
    const target = importTarget({
      tenantId: tenant.id,
      connectionId: source.id,
      routes: [first.connection.id, second.connection.id],
      settings: {},
    })
    const importOrder = async (fields: Record<string, unknown>) =>
      importRecords(database(env.DB), target, [
        { kind: 'order', order: shopifyOrderToCanonical(shopifyOrderSchema.parse(JSON.parse(orderJson(fields)))) },
      ])
    const id = 790000 + Math.floor(Math.random() * 9999)
    const created = await importOrder({ id, currency: 'EUR' })
    const orderId = created.orders[0].orderId
    const [firstHandover, secondHandover] = created.followUps.handoverIds
    await runHandover(env, firstHandover)
    expect(await first.goodsOrders(orderId)).toHaveLength(1)
    // The second warehouse failed for good earlier (its dead letter waits for a replay).
    await env.DB.prepare("update handovers set state = 'failed' where id = ?").bind(secondHandover).run()

    const cancelled = await importOrder({ id, currency: 'EUR', cancelled_at: '2099-01-01T00:00:00Z' })
    expect(cancelled.followUps.cancelHandoverIds).toEqual([firstHandover])
    expect(await statusOf(orderId)).toBe('cancel_requested')
    // The warehouse's poll still asks about it: its report may be the answer (WM2 CANCELLED).
    expect((await handoversToPoll(database(env.DB), first.connection.id)).map((row) => row.id)).toEqual([firstHandover])

    await runHandover(env, secondHandover)
    expect(await second.goodsOrders(orderId)).toEqual([])
    expect(await stateOf(secondHandover)).toBe('failed')

    await runCancel(env, firstHandover)
    expect(await stateOf(firstHandover)).toBe('cancelled')
    expect(await statusOf(orderId)).toBe('cancelled')
  })
})
