/**
 * The order as a destination receives it: read fresh when the hand-over runs, so a change the
 * platform made before the hand-over goes with it. Bundle lines carry their components (BB6).
 */
import { eq, inArray } from 'drizzle-orm'
import type { Address, HandoverOrder, OrderStatus } from '../core/model'
import type { Database } from '../db/client'
import { customers, orders, products } from '../db/schema'

type Components = { sku: string | null; externalId: string | null; quantity: number }[]

export async function handoverOrder(db: Database, orderId: string): Promise<HandoverOrder | null> {
  const order = await db.select().from(orders).where(eq(orders.id, orderId)).get()
  if (!order) return null
  const lineRows = order.lines
  const productIds = [...new Set(lineRows.flatMap((line) => (line.productId ? [line.productId] : [])))]
  const [productRows, customer] = await Promise.all([
    productIds.length
      ? db
          .select({ id: products.id, type: products.type, components: products.components })
          .from(products)
          .where(inArray(products.id, productIds))
      : Promise.resolve([]),
    order.customerId
      ? db.select().from(customers).where(eq(customers.id, order.customerId)).get()
      : Promise.resolve(undefined),
  ])
  const productById = new Map(productRows.map((product) => [product.id, product]))
  return {
    id: order.id,
    tenantId: order.tenantId,
    connectionId: order.connectionId,
    platform: order.platform,
    externalId: order.externalId,
    number: order.number,
    createdAt: order.createdAt,
    currency: order.currency,
    status: order.status as OrderStatus,
    total: order.total,
    shippingCost: order.shippingCost,
    paymentMethod: order.paymentMethod,
    customer:
      customer && !customer.notSpecified
        ? { firstName: customer.firstName, lastName: customer.lastName, email: customer.email, phone: customer.phone }
        : null,
    billingAddress: order.billingAddress as Address | null,
    shippingAddress: order.shippingAddress as Address | null,
    lines: lineRows.map((line) => {
      const product = line.productId ? productById.get(line.productId) : undefined
      return {
        id: line.id,
        sku: line.sku,
        code: line.code,
        name: line.name,
        quantity: line.currentQuantity ?? line.quantity,
        unitPrice: line.unitPrice,
        total: line.total,
        product: product
          ? { type: product.type === 'bundle' ? 'bundle' : 'single', components: product.components as Components }
          : null,
      }
    }),
  }
}
