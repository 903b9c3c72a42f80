/**
 * The order as a destination receives it: read fresh when the hand-over runs, so a change the
 * platform made before the hand-over goes with it. Bundle lines carry their components (BB6).
 * `handoverOrderFields` reads it in one statement (the order, its customer and its lines'
 * products), to be joined onto the hand-over's claim.
 */
import { eq, sql } from 'drizzle-orm'
import type { Address, HandoverOrder, OrderStatus } from '../core/model'
import type { Database } from '../db/client'
import { customers, orders, products } from '../db/schema'

type Components = { sku: string | null; externalId: string | null; quantity: number }[]
type ProductRow = { id: string; type: string; components: Components }

/** The order's line products as one JSON array, read in the order's own statement. */
export const lineProductsJson = sql<string>`(select json_group_array(json_object('id', ${products.id}, 'type', ${products.type}, 'components', json(${products.components})))
  from ${products} where ${products.id} in (select value ->> 'productId' from json_each(${orders.lines})))`

export const handoverOrderFields = { order: orders, customer: customers, products: lineProductsJson }

export type HandoverOrderRows = {
  order: typeof orders.$inferSelect
  customer: typeof customers.$inferSelect | null
  products: string | null
}

export async function handoverOrder(db: Database, orderId: string): Promise<HandoverOrder | null> {
  const row = await db
    .select(handoverOrderFields)
    .from(orders)
    .leftJoin(customers, eq(customers.id, orders.customerId))
    .where(eq(orders.id, orderId))
    .get()
  return row ? toHandoverOrder(row) : null
}

export function toHandoverOrder({ order, customer, products: productsJson }: HandoverOrderRows): HandoverOrder {
  const productRows = JSON.parse(productsJson ?? '[]') as ProductRow[]
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
    lines: order.lines.map((line) => {
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
          ? { type: product.type === 'bundle' ? 'bundle' : 'single', components: product.components ?? [] }
          : null,
      }
    }),
  }
}
