/**
 * CA2, the other direction: an order event that moves the order's status sets the order's
 * current status on Cartum (`orders/update`), with the tracking code when shipped — the current
 * one, not the event's, so a retried `processing` after `shipped` leaves Cartum at shipped.
 * Setting a status is idempotent on Cartum, so no step needs recording. Cartum answers
 * WARNING with a per-order log when an update failed; that is an error, not a success.
 */
import { FinalError } from '../../core/errors'
import type { OrderEventInput, OrderSnapshot, WriteBackResult } from '../../core/model'
import { statusAfterEvent } from '../../core/order-status'
import type { ConnectorContext } from '../types'
import { callCartum } from './client'
import type { CartumCredentials, CartumSettings } from './schemas'
import { kontorStatusToCartum } from './status-map'

type UpdateLog = { log?: { status: string; message?: string; messages?: string }[] }

export async function writeBackToCartum(
  context: ConnectorContext<CartumCredentials, CartumSettings>,
  order: OrderSnapshot,
  event: OrderEventInput
): Promise<WriteBackResult> {
  if (!statusAfterEvent(event.type)) return { result: 'not_applicable', detail: `${event.type} changes no status` }
  const status = kontorStatusToCartum(context.settings.statusMap, order.status)
  if (!status)
    return { result: 'not_applicable', detail: `CA2: the status map has no Cartum status for ${order.status}` }
  const tracking = order.status === 'shipped' ? order.tracking[0]?.number : undefined
  const { response } = await callCartum<UpdateLog>(context, 'orders/update', {
    orders: [{ order_id: Number(order.externalId), status, ...(tracking ? { tracking_code: tracking } : {}) }],
  })
  const entry = response?.log?.[0]
  if (entry && entry.status !== 'OK')
    throw new FinalError(`Cartum refused the update: ${entry.message ?? entry.messages ?? entry.status}`)
  return {
    result: 'done',
    detail: `status ${status}${tracking ? ` with tracking ${tracking}` : ''}`,
    platformStatus: String(status),
  }
}
