/**
 * An order event as a reporter sends it (SPEC §4): the one zod schema that both
 * POST /api/v1/orders/{id}/events and the dashboard's "Report an event" form validate with, and
 * how a valid one becomes the use case's input (src/orders/record-event.ts).
 */
import { z } from '@hono/zod-openapi'
import { ORDER_EVENT_TYPES, type OrderEventInput } from '../../core/model'
import { MAX_EVENT_LINES, MAX_MESSAGE_CHARS, MAX_TRACKING, MAX_TRACKING_NUMBER_CHARS, WebLink } from './limits'

const TrackingInput = z.object({
  number: z.string().trim().min(1).max(MAX_TRACKING_NUMBER_CHARS),
  carrier: z.string().max(200).nullable().default(null),
  url: WebLink.nullish(),
})

export const OrderEvent = z
  .object({
    type: z.enum(ORDER_EVENT_TYPES),
    message: z.string().max(MAX_MESSAGE_CHARS).nullish(),
    tracking: z.array(TrackingInput).max(MAX_TRACKING).optional(),
    lines: z
      .array(
        z.object({
          sku: z.string().max(200).nullish(),
          lineId: z.string().max(200).nullish(),
          quantity: z.number().int().positive().max(1_000_000),
        })
      )
      .max(MAX_EVENT_LINES)
      .optional(),
    /** `returned`: why it came back, as the back-office or warehouse names it (RT2 notes carry it). */
    reason: z.string().max(MAX_MESSAGE_CHARS).nullish(),
  })
  .superRefine((event, context) => {
    if (event.type === 'shipped' && !event.tracking?.length)
      context.addIssue({ code: 'custom', path: ['tracking'], message: 'shipped needs at least one tracking number' })
    if (['address_error', 'stock_error', 'cancel_refused', 'comment'].includes(event.type) && !event.message) {
      context.addIssue({ code: 'custom', path: ['message'], message: `${event.type} needs a message` })
    }
  })
  .openapi('OrderEvent')

export type OrderEventBody = z.infer<typeof OrderEvent>

/** G2: a write-off needs the stock permission, every other report the orders permission. */
export const scopeToReport = (type: OrderEventBody['type']) => (type === 'written_off' ? 'stock' : 'orders')

export function orderEventInput(event: OrderEventBody): OrderEventInput {
  return {
    type: event.type,
    message: event.message ?? null,
    tracking: event.tracking?.map((tracking) => ({
      number: tracking.number,
      carrier: tracking.carrier,
      url: tracking.url ?? null,
    })),
    data:
      event.lines || event.reason
        ? { ...(event.lines ? { lines: event.lines } : {}), ...(event.reason ? { reason: event.reason } : {}) }
        : null,
  }
}
