/**
 * Billbee API calls: `X-Billbee-Api-Key` plus Basic auth on every call, and pacing under
 * Billbee's limits (2 requests per second per endpoint, 10 per second per key and user). The
 * pacing is per isolate: requests of one connection in this isolate are spaced out in memory;
 * concurrent consumers in other isolates are not coordinated, so a 429 they cause is honoured
 * through Retry-After (waited inline when short, else the queue retries the message later).
 * A Durable Object per API key would coordinate exactly; it was not worth a new binding yet.
 */
import { FinalError } from '../../core/errors'
import type { HttpRequest } from '../../core/http-client'
import type { ConnectorContext } from '../types'
import { type BillbeeCredentials, billbeeEnvelopeSchema, type BillbeeSettings } from './schemas'

type Context = ConnectorContext<BillbeeCredentials, BillbeeSettings>

export const BILLBEE_PAGE_SIZE = 250
const PER_ENDPOINT_MS = 500
const PER_ACCOUNT_MS = 100

/** When the next call may start, per `apiKey|user` and per `apiKey|user|endpoint`. */
const nextSlot = new Map<string, number>()

function reserve(key: string, spacingMs: number): number {
  const now = Date.now()
  const at = Math.max(now, nextSlot.get(key) ?? 0)
  nextSlot.set(key, at + spacingMs)
  return at - now
}

/** Waits until both the account's and the endpoint's rate allow another call. */
export async function pace(account: string, endpoint: string) {
  const wait = Math.max(reserve(account, PER_ACCOUNT_MS), reserve(`${account}|${endpoint}`, PER_ENDPOINT_MS))
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

/** The endpoint an URL path belongs to, for the per-endpoint limit (ids replaced). */
export function endpointOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`
}

export async function billbeeRequest<T = unknown>(context: Context, path: string, request: HttpRequest = {}) {
  const { apiKey, username, apiPassword } = context.credentials
  const method = request.method ?? (request.json === undefined ? 'GET' : 'POST')
  await pace(`${apiKey}|${username}`, endpointOf(method, path))
  const response = await context.http.request(`/api/v1${path}`, {
    ...request,
    method,
    headers: {
      ...request.headers,
      'X-Billbee-Api-Key': apiKey,
      authorization: `Basic ${btoa(`${username}:${apiPassword}`)}`,
    },
  })
  if (!response.text) return { data: null as T, totalPages: 1 }
  const envelope = billbeeEnvelopeSchema.parse(response.json())
  if (envelope.ErrorCode)
    throw new FinalError(`Billbee ${method} ${path}: ${envelope.ErrorMessage ?? `error ${envelope.ErrorCode}`}`)
  return { data: envelope.Data as T, totalPages: envelope.Paging?.TotalPages ?? 1 }
}

export async function addBillbeeTags(context: Context, orderId: string, tags: string[]) {
  await billbeeRequest(context, `/orders/${orderId}/tags`, { method: 'POST', json: { Tags: tags } })
}
