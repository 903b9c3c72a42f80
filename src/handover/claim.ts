/**
 * Claiming a hand-over row for a use case (hand over, cancel, update) and reading what the use
 * case needs — the destination connection, the order with its customer and products, the
 * order's version — in the same round trip: the reads run after the claim in one batch and
 * return rows only when the claim went through.
 */
import { and, eq, getTableColumns, isNull, type SQL, sql, type Table } from 'drizzle-orm'
import { RetryableError } from '../core/errors'
import type { HandoverOrder } from '../core/model'
import type { Database } from '../db/client'
import { connections, customers, handovers, orders } from '../db/schema'
import type { Bindings } from '../env'
import { type Claim, claimRowStatement, newClaim } from '../exactly-once/lease'
import { lineProductsJson, toHandoverOrder } from '../orders/handover-order'
import type { ConnectionRow } from '../db/connections'
import { type HandoverRow, openDestination, orderVersion } from './destination'

export type ClaimedHandover = {
  claim: Claim
  row: HandoverRow
  destination: Awaited<ReturnType<typeof openDestination>>
  order: HandoverOrder | null
  /** The order's version now (destination.ts): what the destination will hold after this. */
  version: string | null
  /** The destination's session state (sealed) as read with the claim, so the connector need not read it. */
  sessionState: string | null
}

/**
 * Claims hand-over `id` when `claimable` holds. Null when there is nothing to do (settled, or
 * in another state); a RetryableError when the row is in a claimable state but held by another
 * worker, so this message comes back once that lease ends instead of being dropped.
 */
export async function claimHandover(
  env: Bindings,
  db: Database,
  id: string,
  claimable: SQL,
  options: { countAttempt: boolean; leaseMs?: number }
): Promise<ClaimedHandover | null> {
  const claim = newClaim({ leaseMs: options.leaseMs })
  const [claimed, loaded] = await db.batch([
    claimRowStatement(db, handovers, id, claimable, claim, options),
    db
      // Every column aliased: a D1 batch returns rows by column name, and the tables share names.
      .select({
        order: aliasedColumns(orders, 'o'),
        customer: aliasedColumns(customers, 'cu'),
        destination: aliasedColumns(connections, 'cn'),
        products: lineProductsJson,
        version: orderVersion,
      })
      .from(handovers)
      .innerJoin(orders, eq(orders.id, handovers.orderId))
      .leftJoin(customers, eq(customers.id, orders.customerId))
      .leftJoin(connections, and(eq(connections.id, handovers.destinationId), isNull(connections.deletedAt)))
      .where(and(eq(handovers.id, id), eq(handovers.claimToken, claim.token))),
  ])
  const row = claimed[0]
  if (!row) {
    const busy = await db
      .select({ leaseUntil: handovers.leaseUntil })
      .from(handovers)
      .where(and(eq(handovers.id, id), claimable))
      .get()
    if (busy?.leaseUntil && busy.leaseUntil >= claim.at) {
      const seconds = Math.max(1, Math.ceil((Date.parse(busy.leaseUntil) - Date.now()) / 1000))
      throw new RetryableError(`hand-over ${id} is being worked on`, seconds)
    }
    return null
  }
  const load = loaded[0]
  return {
    claim,
    row,
    destination: await openDestination(env, load?.destination.id ? (load.destination as ConnectionRow) : null),
    order: load
      ? toHandoverOrder({
          order: load.order as typeof orders.$inferSelect,
          customer: load.customer.id ? (load.customer as typeof customers.$inferSelect) : null,
          products: load.products,
        })
      : null,
    version: load?.version ?? null,
    sessionState: load?.destination.sessionState ?? null,
  }
}

/** A table's columns under unique aliases, each still decoded as its column (JSON, booleans). */
function aliasedColumns<T extends Table>(table: T, prefix: string) {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [
      key,
      sql`${column}`.mapWith(column).as(`${prefix}_${column.name}`),
    ])
  ) as { [K in keyof T['_']['columns']]: SQL.Aliased<T['_']['columns'][K]['_']['data'] | null> }
}

/** The outbound-call row a hand-over use case records with its release, for its destination. */
export function outboundCallOf(row: { tenantId: string; destinationId: string; orderId: string }, action: string) {
  return (result: string, detail: string) => ({
    tenantId: row.tenantId,
    connectionId: row.destinationId,
    orderId: row.orderId,
    action,
    result,
    detail,
  })
}
