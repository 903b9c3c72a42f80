/**
 * CA2, the other direction: an order event whose status the connection's map knows sets that
 * status on Cartum (`orders/update`), with the tracking code when shipped. Cartum answers
 * WARNING with a per-order log when an update failed; that is an error, not a success.
 */
import { FinalError } from '../../core/errors'
import type { ConnectorContext, OrderEventInput, OrderSnapshot, WriteBackResult } from '../types'
import { callCartum } from './client'
import type { CartumCredentials, CartumSettings } from './schemas'
import { kontorStatusToCartum } from './status-map'

type UpdateLog = { log?: { status: string; message?: string; messages?: string }[] }

export async function writeBackToCartum(
  context: ConnectorContext<CartumCredentials, CartumSettings>,
  order: OrderSnapshot,
  event: OrderEventInput
): Promise<WriteBackResult> {
  const status =
    event.type === 'written_off' || event.type === 'comment'
      ? null
      : kontorStatusToCartum(context.settings.statusMap, event.type)
  if (!status) return { result: 'not_applicable', detail: `CA2: the status map has no Cartum status for ${event.type}` }
  const tracking = event.type === 'shipped' ? event.tracking?.[0]?.number : undefined
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
