/**
 * Goods order calls: look one up by Kontor's order id (getStatus), create it (WM1), cancel it (WM3),
 * and read its parcels' tracking numbers.
 */
import { FinalError, RetryableError } from '../../core/errors'
import type { Tracking } from '../../core/model'
import type { ConnectorContext } from '../types'
import { wemaloErrorMessage, wemaloRequest } from './client'
import {
  type WemaloCredentials,
  wemaloPackagesSchema,
  type WemaloSettings,
  type WemaloStatus,
  wemaloStatusSchema,
  wemaloTrackingSchema,
} from './schemas'
import type { WemaloGoodsOrder } from './mapper'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

const path = (value: string) => encodeURIComponent(value)

/** The goods order Wemalo holds under this external id (Kontor's order id), or null. */
export async function findGoodsOrder(context: Context, externalId: string): Promise<WemaloStatus | null> {
  const response = await wemaloRequest(context, `/goodsOrder/getStatus/${path(externalId)}`, { accept: [404] })
  if (response.status === 404) return null
  const parsed = wemaloStatusSchema.safeParse(response.json())
  if (!parsed.success)
    throw new FinalError(`Wemalo getStatus ${externalId}: unreadable answer ${response.text.slice(0, 200)}`)
  return parsed.data
}

/** Creates the goods order; returns Wemalo's id. A refusal because the external id exists is looked up. */
export async function addGoodsOrder(context: Context, goodsOrder: WemaloGoodsOrder): Promise<string> {
  const response = await wemaloRequest(context, '/goodsOrder/add', {
    method: 'POST',
    json: goodsOrder,
    accept: [400, 409],
  })
  if (response.status === 400 || response.status === 409) {
    const existing = await findGoodsOrder(context, goodsOrder.meta.externalId)
    if (existing) return existing.id ?? goodsOrder.meta.externalId
    throw new FinalError(`Wemalo refused the goods order: ${wemaloErrorMessage(response)}`)
  }
  const body = response.json<{ id?: unknown; Success?: unknown }>()
  if (body?.id === undefined || body.id === null || body.id === '') {
    throw new FinalError(`Wemalo goodsOrder/add answered without an id: ${response.text.slice(0, 200)}`)
  }
  return String(body.id)
}

/** `PUT /goodsOrder/updateMeta/:id` (the external id): receiver, order number, dispatcher profile … */
export async function updateGoodsOrderMeta(context: Context, externalId: string, meta: WemaloGoodsOrder['meta']) {
  await wemaloRequest(context, `/goodsOrder/updateMeta/${path(externalId)}`, { method: 'PUT', json: { meta } })
}

export type CancelAnswer = { status: 'cancelled' } | { status: 'not_found' } | { status: 'refused'; message: string }

export async function cancelGoodsOrder(context: Context, externalId: string, reason: string): Promise<CancelAnswer> {
  const response = await wemaloRequest(context, `/goodsOrder/cancel/${path(externalId)}`, {
    method: 'PUT',
    json: { reason },
    accept: [400, 404, 409, 412, 422],
  })
  if (response.status < 300) return { status: 'cancelled' }
  if (response.status === 404) return { status: 'not_found' }
  return { status: 'refused', message: wemaloErrorMessage(response) }
}

function readJson(response: { json(): unknown }): unknown {
  try {
    return response.json()
  } catch {
    return undefined
  }
}

/** Tracking number and carrier of one parcel. */
export async function parcelTracking(context: Context, parcelId: string): Promise<Tracking | null> {
  const response = await wemaloRequest(context, `/goodsOrder/package/${path(parcelId)}/trackingNumber`, {
    accept: [404],
  })
  if (response.status === 404) return null
  const parsed = wemaloTrackingSchema.safeParse(readJson(response))
  // An answer Wemalo garbled is not "no tracking number": the report is read again later.
  if (!parsed.success)
    throw new RetryableError(`Wemalo trackingNumber ${parcelId}: unreadable answer ${response.text.slice(0, 200)}`)
  if (!parsed.data.trackingNumber) return null
  return { number: parsed.data.trackingNumber, carrier: parsed.data.carrier ?? parsed.data.profileName ?? null }
}

/** Every tracking number of a goods order's parcels, with the carrier Wemalo names for each. */
export async function goodsOrderTracking(context: Context, externalId: string): Promise<Tracking[]> {
  const response = await wemaloRequest(context, '/goodsOrder/packages', {
    query: { externalOrderId: externalId },
    accept: [404],
  })
  if (response.status === 404) return []
  const parsed = wemaloPackagesSchema.safeParse(readJson(response))
  if (!parsed.success)
    throw new RetryableError(`Wemalo packages of ${externalId}: unreadable answer ${response.text.slice(0, 200)}`)
  const tracking: Tracking[] = []
  for (const parcel of parsed.data.packages) {
    if (!parcel.trackingNumber) continue
    const detail = await parcelTracking(context, parcel.id)
    tracking.push({ number: parcel.trackingNumber, carrier: detail?.carrier ?? parcel.profileName ?? null })
  }
  return tracking
}
