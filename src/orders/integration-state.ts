/**
 * Where an order stands beyond its own status (issue 19, finding 5): its hand-over to the
 * destinations that fulfil it and its write-backs to the shop it came from. A handed-over order
 * still reads `new`, and a `shipped` one may have a write-back that keeps failing; the orders
 * list shows and filters both. Each is one correlated subquery on the order's row, a look-up by
 * index, so a page of orders is one query with no round trip per order.
 */
import { type SQL, sql } from 'drizzle-orm'
import { HANDOVER_STATES } from '../core/model'
import { handovers, orderEvents, outboundCalls } from '../db/schema'

/** `none`: not handed over anywhere; else the hand-over's state (the most urgent of several). */
export const ORDER_HANDOVER_STATES = ['none', ...HANDOVER_STATES] as const
export type OrderHandoverState = (typeof ORDER_HANDOVER_STATES)[number]

/**
 * `none`: nothing to write back (or nothing the platform takes); `pending`: a write-back waits or
 * runs for the first time; `done`: every one went through; `failing`: one failed and has not
 * gone through since (it may be retrying, or be a dead letter).
 */
export const WRITE_BACK_STATES = ['none', 'pending', 'done', 'failing'] as const
export type WriteBackState = (typeof WRITE_BACK_STATES)[number]

/** Of several destinations' hand-overs, the one the operator must look at first. */
const URGENCY: readonly string[] = [
  'failed',
  'cancel_failed',
  'cancel_refused',
  'pending',
  'cancel_requested',
  'sent',
  'confirmed',
  'cancelled',
] satisfies readonly (typeof HANDOVER_STATES)[number][]

/** The order of the outer query, named in full: Drizzle leaves columns unqualified in a one-table select. */
const ORDER_ID = sql.raw('"orders"."id"')

export const handoverStateSql = sql<OrderHandoverState>`coalesce((
  select h.state from ${handovers} h where h.order_id = ${ORDER_ID}
  order by case h.state ${sql.raw(URGENCY.map((state, index) => `when '${state}' then ${index}`).join(' '))}
    else ${sql.raw(String(URGENCY.length))} end
  limit 1), 'none')`

/**
 * Every event not read from the platform is written back (src/queue/sync.ts): its claim row
 * `write-back:<event id>` holds the verdict. No row yet: queued; `started` again after an attempt
 * failed (attempts > 1): still failing.
 */
export const writeBackStateSql = sql<WriteBackState>`(
  select case
    when count(*) = 0 then 'none'
    when sum(c.result = 'failed' or (c.result = 'started' and c.attempts > 1)) > 0 then 'failing'
    when sum(c.result is null or c.result = 'started') > 0 then 'pending'
    when sum(c.result = 'done') > 0 then 'done'
    else 'none' end
  from ${orderEvents} e left join ${outboundCalls} c on c.step_key = 'write-back:' || e.id
  where e.order_id = ${ORDER_ID} and e.source <> 'platform')`

export type IntegrationStateFilter = { handover?: OrderHandoverState; writeBack?: WriteBackState }

export function integrationStateMatch(filter: IntegrationStateFilter): SQL[] {
  return [
    ...(filter.handover ? [sql`${handoverStateSql} = ${filter.handover}`] : []),
    ...(filter.writeBack ? [sql`${writeBackStateSql} = ${filter.writeBack}`] : []),
  ]
}
