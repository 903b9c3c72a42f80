/**
 * BB7: an imported order is tagged as received, so the next poll leaves it alone. BB9: shipped
 * sets Billbee's state 4 and adds a shipment per tracking number; the carrier goes with it only
 * when Billbee's shipping profile for the order has the warehouse carrier's name. RT2: a return
 * adds the tag `returned_by_<ordersTag>` and an internal message naming the lines and the reason
 * (Billbee's API has no return to book; Kontor never refunds).
 */
import type { OrderEventInput, OrderSnapshot, WriteBackResult } from '../../core/model'
import { returnNote } from '../../core/returns'
import type { ConnectorContext, OutboundSteps } from '../types'
import { addBillbeeTags, billbeeRequest } from './client'
import { receivedTag } from './fetch-page'
import type { BillbeeCredentials, BillbeeSettings } from './schemas'

type Context = ConnectorContext<BillbeeCredentials, BillbeeSettings>

export const BILLBEE_STATE_SHIPPED = 4

export async function afterBillbeeImport(context: Context, order: OrderSnapshot) {
  await addBillbeeTags(context, order.externalId, [receivedTag(context.settings)])
}

export function returnedTag(settings: BillbeeSettings): string {
  return `returned_by_${settings.ordersTag}`
}

async function writeReturnToBillbee(
  context: Context,
  order: OrderSnapshot,
  event: OrderEventInput,
  steps: OutboundSteps
): Promise<WriteBackResult> {
  const tag = returnedTag(context.settings)
  await steps.once(
    `tag:${tag}`,
    async () => {
      await addBillbeeTags(context, order.externalId, [tag])
      return `tag ${tag}`
    },
    {
      alreadyDone: async () => {
        const { data } = await billbeeRequest<{ Tags?: string[] | null }>(context, `/orders/${order.externalId}`)
        return (data?.Tags ?? []).some((existing) => existing.toLowerCase() === tag.toLowerCase())
      },
    }
  )
  // Billbee lists an order's messages nowhere in its API: recorded as a step, so a retry adds none.
  await steps.once('message', async () => {
    await billbeeRequest(context, `/orders/${order.externalId}/message`, {
      method: 'POST',
      json: { IsInternal: true, SenderName: 'Kontor', Text: returnNote(event) },
    })
  })
  return { result: 'done', detail: `tag ${tag} and a message (RT2)` }
}

/** The shipment numbers Billbee lists on the order (`ShippingIds[].ShippingId`). */
async function billbeeShippingIds(context: Context, orderId: string): Promise<string[]> {
  const { data } = await billbeeRequest<{ ShippingIds?: { ShippingId?: string | null }[] | null }>(
    context,
    `/orders/${orderId}`
  )
  return (data?.ShippingIds ?? []).flatMap((entry) => (entry.ShippingId ? [String(entry.ShippingId)] : []))
}

const sameName = (a: string | null | undefined, b: string | null | undefined) =>
  Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase())

export async function writeBackToBillbee(
  context: Context,
  order: OrderSnapshot,
  event: OrderEventInput,
  steps: OutboundSteps
): Promise<WriteBackResult> {
  if (event.type === 'returned') return writeReturnToBillbee(context, order, event, steps)
  if (event.type !== 'shipped') return { result: 'not_applicable', detail: `${event.type} is not written to Billbee` }
  const { data } = await billbeeRequest<{
    ShippingProfileName?: string | null
    ShippingProviderName?: string | null
    ShippingProviderId?: number | string | null
  }>(context, `/orders/${order.externalId}`)
  await billbeeRequest(context, `/orders/${order.externalId}/orderstate`, {
    method: 'PUT',
    json: { NewStateId: BILLBEE_STATE_SHIPPED },
  })
  const withCarrier: string[] = []
  for (const tracking of event.tracking ?? []) {
    const carrierMatches =
      sameName(data?.ShippingProfileName, tracking.carrier) || sameName(data?.ShippingProviderName, tracking.carrier)
    // Billbee adds a shipment per call: recorded per number, and a retry after a lost answer
    // finds the number among the order's ShippingIds and adds none.
    await steps.once(
      `shipment:${tracking.number}`,
      async () => {
        await billbeeRequest(context, `/orders/${order.externalId}/shipment`, {
          method: 'POST',
          json: {
            ShippingId: tracking.number,
            Comment: tracking.carrier ? `Carrier: ${tracking.carrier}` : undefined,
            ...(carrierMatches && data?.ShippingProviderId
              ? { ShippingProviderId: Number(data.ShippingProviderId) }
              : {}),
          },
        })
      },
      { alreadyDone: async () => (await billbeeShippingIds(context, order.externalId)).includes(tracking.number) }
    )
    if (carrierMatches) withCarrier.push(tracking.number)
  }
  return {
    result: 'done',
    detail: `state 4 and ${event.tracking?.length ?? 0} shipment(s)${withCarrier.length ? `, carrier set for ${withCarrier.join(', ')}` : ''} (BB9)`,
    platformStatus: String(BILLBEE_STATE_SHIPPED),
  }
}
