/**
 * How an order event moves an order's status (SPEC §4), as pure rules: shared by the event
 * recorder (which applies them in SQL) and connectors that write the status back.
 */
import type { OrderEventType, OrderStatus } from './model'

/** The status an event moves the order to; events that only add information leave it. */
export function statusAfterEvent(type: OrderEventType): OrderStatus | null {
  switch (type) {
    // The import sets `cancel_requested` itself, in the batch that asks the destinations to
    // cancel; reported by anyone else, nothing would ever answer it.
    case 'cancel_requested':
    case 'written_off':
    case 'comment':
    case 'handed_over':
    case 'handover_failed':
      return null
    default:
      return type
  }
}

/**
 * Statuses a report of this type may not replace: work already further along stays as it is,
 * and a pending cancellation waits for the destination's answer (a warehouse that starts picking
 * answers it with a refusal).
 */
export function statusesKeptAgainst(type: OrderEventType): OrderStatus[] {
  return type === 'processing' ? ['shipped', 'returned', 'cancelled', 'cancel_requested'] : []
}

/**
 * Statuses of an order whose source cancelled it: requested of its destinations, or done. Such an
 * order is never handed over (again).
 */
export const SOURCE_CANCELLED_STATUSES = ['cancel_requested', 'cancelled'] as const satisfies OrderStatus[]

export function isSourceCancelled(status: OrderStatus) {
  return (SOURCE_CANCELLED_STATUSES as readonly OrderStatus[]).includes(status)
}

/**
 * Statuses in which the source's cancellation was taken already: requested, done or refused. A
 * source that reports the order cancelled again changes none of them.
 */
export const CANCELLATION_TAKEN_STATUSES = [
  ...SOURCE_CANCELLED_STATUSES,
  'cancel_refused',
] as const satisfies OrderStatus[]
