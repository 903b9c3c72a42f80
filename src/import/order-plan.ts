/**
 * The general order rules (SPEC §5: G1, G4, G5, P7, DL1, DL2, SH3) as one pure decision: given
 * what the hub has and what the platform sent, what happens. The store (store-order.ts) only
 * carries the decision out, so every rule here is testable without a runtime.
 */
import type { ImportPolicy } from '../core/import-policy'
import type { Delivery, IncomingOrder, OrderEventType, OrderStatus } from '../core/model'
import { ORDER_STATUSES } from '../core/model'
import { CANCELLATION_TAKEN_STATUSES } from '../core/order-status'
import { deliveryComment, sameDelivery } from './delivery-comment'

export type ExistingOrder = {
  id: string
  updatedAt: string
  writtenOff: boolean
  contentHash: string
  delivery: Delivery | null
  status: OrderStatus
  /** Bumped by every write; the import's batch is written only while it is unchanged. */
  revision: number
  /** A hand-over a cancellation would be sent on to (pending, sent or confirmed). */
  handedOver?: boolean
}

export type PlannedEvent = { type: OrderEventType; message: string | null; data: Record<string, unknown> | null }

export type OrderPlan =
  | { action: 'reject'; rule: string; reason: string }
  /** `silent`: the platform sent nothing new; counted, not logged (a poll re-reads many such orders). */
  | { action: 'keep'; rule?: string; reason: string; silent?: boolean }
  | {
      action: 'write'
      result: 'created' | 'updated'
      status: OrderStatus
      events: PlannedEvent[]
      /** Record the events and status only; the order's imported content stays as it was. */
      keepContent?: boolean
    }

export type InitialStatusSetting = OrderStatus | Record<string, OrderStatus> | undefined

/** SH3: the initial status from the connection's setting for the order's type, else `new`. */
export function initialStatus(setting: InitialStatusSetting, orderType: string | null): OrderStatus {
  if (!setting) return 'new'
  if (typeof setting === 'string') return setting
  return (orderType && setting[orderType]) || setting.default || 'new'
}

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value)
}

/** The delivery comment and, when the platform moved the status, an event of the status it moved to. */
function platformEvents(
  incoming: IncomingOrder,
  previous: ExistingOrder | null,
  reportedStatus: OrderStatus | null
): PlannedEvent[] {
  const events: PlannedEvent[] = []
  if (incoming.delivery && (!previous || !sameDelivery(previous.delivery, incoming.delivery))) {
    events.push({ type: 'comment', message: deliveryComment(incoming.delivery), data: { delivery: incoming.delivery } })
  }
  if (reportedStatus && reportedStatus !== previous?.status && reportedStatus !== 'new') {
    events.push({
      type: reportedStatus as OrderEventType,
      message: `Reported by the platform (${incoming.platformStatus ?? incoming.status})`,
      data: null,
    })
  }
  return events
}

export function planOrderImport(input: {
  incoming: IncomingOrder
  existing: ExistingOrder | null
  contentHash: string
  tenantCurrency: string
  initialStatusSetting: InitialStatusSetting
  policy: ImportPolicy
}): OrderPlan {
  const { incoming, existing, contentHash, tenantCurrency, policy } = input
  if (incoming.currency.toUpperCase() !== tenantCurrency.toUpperCase()) {
    return {
      action: 'reject',
      rule: 'G4',
      reason: `currency ${incoming.currency} differs from the tenant's ${tenantCurrency}`,
    }
  }
  if (!existing) {
    const status = incoming.status ?? initialStatus(input.initialStatusSetting, incoming.orderType)
    return { action: 'write', result: 'created', status, events: platformEvents(incoming, null, incoming.status) }
  }
  if (existing.contentHash === contentHash) {
    return { action: 'keep', reason: 'no change', silent: true }
  }
  if (existing.writtenOff) {
    return { action: 'keep', rule: 'G5', reason: 'the order is written off; platform changes are no longer applied' }
  }
  // A source that reports the order cancelled again (any re-read) changes nothing about a
  // cancellation the hub took already: requested of the destination, done, or refused.
  const cancellationTaken = (CANCELLATION_TAKEN_STATUSES as readonly OrderStatus[]).includes(existing.status)
  const cancelling = incoming.status === 'cancelled' && !cancellationTaken
  if (
    cancelling &&
    policy.cancellationsAreRequests &&
    (existing.status === 'processing' || existing.status === 'shipped')
  ) {
    return {
      action: 'write',
      result: 'updated',
      status: existing.status,
      events: [
        {
          type: 'cancel_refused',
          message: `${policy.cancellationsAreRequests}: the order is already ${existing.status}; the cancellation is refused`,
          data: null,
        },
      ],
      keepContent: true,
    }
  }
  if (policy.importsOnce && !cancelling) {
    return {
      action: 'keep',
      rule: policy.importsOnce,
      reason: 'the order was handed over; later platform changes are not imported',
    }
  }
  if (policy.ignoresChangesAfterNew && existing.status !== 'new') {
    return {
      action: 'keep',
      rule: policy.ignoresChangesAfterNew,
      reason: `the order is ${existing.status}; platform changes are no longer imported`,
    }
  }
  if (Date.parse(incoming.updatedAt) < Date.parse(existing.updatedAt)) {
    return { action: 'keep', reason: `an older update (${incoming.updatedAt}) arrived after ${existing.updatedAt}` }
  }
  const reportedStatus = reportedStatusOf(incoming, { cancelling, handedOver: existing.handedOver })
  // The platform may only move the status to what it reports itself (e.g. cancelled); the
  // hub's own progress (processing, shipped …) is not undone by a platform edit.
  const status = reportedStatus && reportedStatus !== 'new' ? reportedStatus : existing.status
  return { action: 'write', result: 'updated', status, events: platformEvents(incoming, existing, reportedStatus) }
}

/**
 * What the platform's report means for the hub's status. A handed-over order is cancelled once
 * its destination says so (the cancel use case records `cancelled` or `cancel_refused`): until
 * then the source's cancellation is `cancel_requested`. A cancellation already taken is not
 * reported again.
 */
function reportedStatusOf(
  incoming: IncomingOrder,
  order: { cancelling: boolean; handedOver?: boolean }
): OrderStatus | null {
  if (incoming.status !== 'cancelled') return incoming.status
  if (!order.cancelling) return null
  return order.handedOver ? 'cancel_requested' : 'cancelled'
}
