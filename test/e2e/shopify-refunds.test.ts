import { describe, expect, it } from 'vitest'
import { apiJson, waitFor } from '../helpers'
import cancelledRefunded from '../fixtures/shopify/order-cancelled-refunded.webhook-2025-10.json'
import partiallyRefunded from '../fixtures/shopify/orders-list-status-any.rest-2025-10.json'
import { deliverWebhook, shopifySetup } from './shopify-support'

async function importedOrder(token: string, connectionId: string) {
  const summary = await waitFor(
    async () => (await apiJson(`/api/v1/orders?connectionId=${connectionId}`, { token })).items[0],
    { what: 'the imported order' }
  )
  return apiJson(`/api/v1/orders/${summary.id}`, { token })
}

describe('Shopify refunds and cancellations keep the ordered lines (G3, P6)', () => {
  it('an orders/cancelled order whose every current_quantity is 0 is stored with its lines as ordered', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const response = await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(cancelledRefunded), {
      topic: 'orders/cancelled',
    })
    expect(response.status).toBe(202)
    const order = await importedOrder(tenant.token, connection.id)
    expect(order).toMatchObject({ status: 'cancelled', total: '598.94' })
    expect(
      order.lines.map((line: any) => [line.sku, line.quantity, line.currentQuantity, line.unitPrice, line.total])
    ).toEqual([
      ['IPOD2008GREEN', 1, 0, '199.00', '199.00'],
      ['IPOD2008RED', 1, 0, '199.00', '199.00'],
      ['IPOD2008BLACK', 1, 0, '199.00', '199.00'],
    ])
  })

  it('a partially refunded order keeps every line and says which units are left', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const [source] = (partiallyRefunded as { orders: unknown[] }).orders
    await deliverWebhook(connection.id, shop.shopDomain, JSON.stringify(source), { topic: 'orders/updated' })
    const order = await importedOrder(tenant.token, connection.id)
    expect(order.total).toBe('598.94')
    expect(order.lines.map((line: any) => [line.sku, line.quantity, line.currentQuantity])).toEqual([
      ['IPOD2008GREEN', 1, 0],
      ['IPOD2008RED', 1, 1],
      ['IPOD2008BLACK', 1, 0],
    ])
  })
})
