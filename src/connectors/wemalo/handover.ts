/**
 * WM1 hand-over and WM3 cancellation.
 * - Hand-over: the goods order is built (and an address Wemalo would refuse is refused) before any
 *   call; then getStatus by Kontor's order id, so that a retry after a lost answer confirms the goods
 *   order the first attempt created instead of adding a second one. The add runs as an outbound step.
 * - Cancel: `PUT /goodsOrder/cancel/:id` (the id is the external id, Kontor's order id). Wemalo
 *   cancels only while nothing was picked or packed; its refusal is `refused` with Wemalo's message,
 *   never a silent success. A refused cancel of a goods order that is already CANCELLED is done.
 */
import type { HandoverOrder } from '../../core/model'
import type { CancelOutcome, ConnectorContext, HandoverOutcome, HandoverReference, OutboundSteps } from '../types'
import { addGoodsOrder, cancelGoodsOrder, findGoodsOrder, updateGoodsOrderMeta } from './goods-orders'
import { toWemaloGoodsOrder, type WemaloGoodsOrder } from './mapper'
import { rememberGoodsOrder } from './reports'
import type { WemaloCredentials, WemaloSettings } from './schemas'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

export async function handOverToWemalo(
  context: Context,
  order: HandoverOrder,
  _handover: { attempt: number; details: Record<string, unknown> },
  steps: OutboundSteps
): Promise<HandoverOutcome> {
  const goodsOrder = toWemaloGoodsOrder(order, context.settings)
  // Always looked up first (one cheap GET): any earlier attempt may have reached Wemalo.
  const existing = await findGoodsOrder(context, order.id)
  // Everything at Wemalo is addressed by the external id; its own id is the reference when it gives one.
  let goodsOrderId = existing ? (existing.id ?? order.id) : null
  let detail = existing ? `goods order ${existing.id} already in Wemalo (${existing.statusName})` : ''
  if (!goodsOrderId) {
    await steps.once(
      'wemalo:goodsOrder/add',
      async () => {
        goodsOrderId = await addGoodsOrder(context, goodsOrder)
        return `goods order ${goodsOrderId}`
      },
      { alreadyDone: async () => !!(await findGoodsOrder(context, order.id)) }
    )
    if (!goodsOrderId) {
      const found = await findGoodsOrder(context, order.id)
      goodsOrderId = found ? (found.id ?? order.id) : null
    }
    if (!goodsOrderId) {
      // The step was recorded as done, yet Wemalo does not know the order: add it again.
      goodsOrderId = await addGoodsOrder(context, goodsOrder)
    }
    detail = `goods order ${goodsOrderId} with ${goodsOrder.positions.length} position(s)`
  }
  if (goodsOrderId !== order.id) await rememberGoodsOrder(context, goodsOrderId, order.id)
  return {
    state: 'confirmed',
    reference: goodsOrderId,
    detail,
    details: { goodsOrderId, positions: positionsSignature(goodsOrder) },
  }
}

/** What the goods order's positions were when handed over: SKU × quantity, in order. */
export function positionsSignature(goodsOrder: WemaloGoodsOrder): string {
  return goodsOrder.positions.map((position) => `${position.externalId}×${position.quantity}`).join(', ')
}

/** Wemalo takes changes while it has not started on the goods order (as it cancels). */
const CHANGEABLE = ['PARTIAL', 'OPEN']

/**
 * A platform change of an order Wemalo holds: the receiver and the other meta fields go with
 * `PUT /goodsOrder/updateMeta/:id` while the goods order is still PARTIAL or OPEN (a corrected
 * address is what clears an address_error). Changed positions are refused with a message instead:
 * Wemalo lists no positions to compare with, so replacing them could double a position.
 */
export async function updateAtWemalo(
  context: Context,
  order: HandoverOrder,
  handover: HandoverReference,
  steps: OutboundSteps
): Promise<{ result: 'done' | 'refused'; detail: string }> {
  const goodsOrder = toWemaloGoodsOrder(order, context.settings)
  const before = handover.details.positions
  if (typeof before === 'string' && before !== positionsSignature(goodsOrder)) {
    return {
      result: 'refused',
      detail: `Wemalo takes no position changes after the hand-over (was ${before}, now ${positionsSignature(goodsOrder)}): change the goods order in Wemalo`,
    }
  }
  const status = await findGoodsOrder(context, order.id)
  if (!status) return { result: 'refused', detail: 'Wemalo has no goods order for this order to change' }
  if (!CHANGEABLE.includes(status.statusName.toUpperCase())) {
    return {
      result: 'refused',
      detail: `Wemalo is already working on the goods order (${status.statusName}): the change stays in the hub`,
    }
  }
  await steps.once('wemalo:goodsOrder/updateMeta', async () => {
    await updateGoodsOrderMeta(context, order.id, goodsOrder.meta)
    return `receiver ${goodsOrder.meta.receiver[0].zip} ${goodsOrder.meta.receiver[0].city}`
  })
  return {
    result: 'done',
    detail: `goods order meta and receiver updated${typeof before === 'string' ? '' : ' (positions not compared: none kept)'}`,
  }
}

export async function cancelAtWemalo(context: Context, handover: HandoverReference): Promise<CancelOutcome> {
  if (handover.reference === null && !(await findGoodsOrder(context, handover.orderId))) {
    return { result: 'cancelled', detail: 'Wemalo has no goods order for this order: nothing to cancel' }
  }
  const answer = await cancelGoodsOrder(context, handover.orderId, 'Cancelled in the shop')
  if (answer.status === 'cancelled') return { result: 'cancelled', detail: 'goods order cancelled in Wemalo' }
  if (answer.status === 'not_found')
    return { result: 'cancelled', detail: 'Wemalo has no goods order for this order: nothing to cancel' }
  const status = await findGoodsOrder(context, handover.orderId)
  if (status?.statusName.toUpperCase() === 'CANCELLED')
    return { result: 'cancelled', detail: 'the goods order was already cancelled in Wemalo' }
  return {
    result: 'refused',
    message: `Wemalo refused the cancellation${status ? ` (goods order ${status.statusName})` : ''}: ${answer.message}`,
  }
}
