/**
 * Billbee API calls: `X-Billbee-Api-Key` plus Basic auth on every call, paced under Billbee's
 * limits (2 requests per second per endpoint, 10 per second per key and user) by the account's
 * AccountPacer Durable Object (src/pacing/), named by the hash of key and user: every isolate
 * and queue consumer calling the account takes its slots there. The spacing keeps a margin
 * (600 ms per endpoint, 120 ms per account) so that calls that travel unevenly still arrive
 * within the limit. A 429 pauses the endpoint and the account for every caller (Retry-After).
 */
import { FinalError } from '../../core/errors'
import type { HttpRequest } from '../../core/http-client'
import { type Pacer, pacedRequest, type RateLimit, type SlotRequest } from '../../pacing/pacer'
import type { ConnectorContext } from '../types'
import { type BillbeeCredentials, billbeeEnvelopeSchema, type BillbeeSettings } from './schemas'

type Context = ConnectorContext<BillbeeCredentials, BillbeeSettings>

export const BILLBEE_PAGE_SIZE = 250
/**
 * 2 per second per endpoint, 10 per second per key and user, each with a 20 % margin for the
 * uneven travel of calls (the pacer spaces their starts; Billbee counts their arrivals).
 */
export const BILLBEE_ENDPOINT_LIMIT: RateLimit = { kind: 'rate', capacity: 1, intervalMs: 600 }
export const BILLBEE_ACCOUNT_LIMIT: RateLimit = { kind: 'rate', capacity: 1, intervalMs: 120 }
/** Longest wait for a slot inside a call; beyond it the queue retries the work later. */
const MAX_WAIT_MS = 30_000

export function billbeeSlots(endpoint: string): SlotRequest[] {
  return [
    { bucket: 'account', limit: BILLBEE_ACCOUNT_LIMIT },
    { bucket: `endpoint:${endpoint}`, limit: BILLBEE_ENDPOINT_LIMIT },
  ]
}

/** The pacer of a Billbee account (`apiKey|user`, hashed into the Durable Object's name). */
export function billbeePacer(context: Pick<Context, 'pacer'>, account: string) {
  return context.pacer([account], { secret: true })
}

/** Waits until both the account's and the endpoint's rate allow another call, and counts it as started. */
export async function pace(pacer: Pacer, endpoint: string) {
  const slot = await pacer.acquire(billbeeSlots(endpoint), { maxWaitMs: MAX_WAIT_MS, label: `Billbee ${endpoint}` })
  await slot.started()
}

/** The endpoint an URL path belongs to, for the per-endpoint limit (ids replaced). */
export function endpointOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`
}

/** One paced call; the answer as it came (a list endpoint answers an array of envelopes). */
export async function billbeeCall(context: Context, path: string, request: HttpRequest = {}) {
  const { apiKey, username, apiPassword } = context.credentials
  const method = request.method ?? (request.json === undefined ? 'GET' : 'POST')
  const endpoint = endpointOf(method, path)
  return pacedRequest({
    pacer: await billbeePacer(context, `${apiKey}|${username}`),
    label: `Billbee ${method} ${path}`,
    slots: billbeeSlots(endpoint),
    maxWaitMs: MAX_WAIT_MS,
    callerAccepts429: request.accept?.includes(429),
    send: () =>
      context.http.request(`/api/v1${path}`, {
        ...request,
        method,
        headers: {
          ...request.headers,
          'X-Billbee-Api-Key': apiKey,
          authorization: `Basic ${btoa(`${username}:${apiPassword}`)}`,
        },
        accept: [...(request.accept ?? []), 429],
      }),
  })
}

export async function billbeeRequest<T = unknown>(context: Context, path: string, request: HttpRequest = {}) {
  const method = request.method ?? (request.json === undefined ? 'GET' : 'POST')
  const response = await billbeeCall(context, path, request)
  if (!response.text) return { data: null as T, totalPages: 1 }
  const envelope = billbeeEnvelopeSchema.parse(response.json())
  if (envelope.ErrorCode)
    throw new FinalError(`Billbee ${method} ${path}: ${envelope.ErrorMessage ?? `error ${envelope.ErrorCode}`}`)
  return { data: envelope.Data as T, totalPages: envelope.Paging?.TotalPages ?? 1 }
}

export async function addBillbeeTags(context: Context, orderId: string, tags: string[]) {
  await billbeeRequest(context, `/orders/${orderId}/tags`, { method: 'POST', json: { Tags: tags } })
}
