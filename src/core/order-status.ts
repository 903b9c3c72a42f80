/**
 * How an order event moves an order's status (SPEC §4), as pure rules: shared by the event
 * recorder (which applies them in SQL) and connectors that write the status back.
 */
import type { OrderEventType, OrderStatus } from './model'

/** The status an event moves the order to; events that only add information leave it. */
export function statusAfterEvent(type: OrderEventType): OrderStatus | null {
  switch (type) {
    case 'written_off':
    case 'cancel_requested':
    case 'comment':
    case 'handed_over':
    case 'handover_failed':
      return null
    default:
      return type
  }
}

/** Statuses a report of this type may not replace: work already further along stays as it is. */
export function statusesKeptAgainst(type: OrderEventType): OrderStatus[] {
  return type === 'processing' ? ['shipped', 'returned', 'cancelled'] : []
}
