/**
 * wemalo-connect calls: `Authorization: JWT <token>`, JSON both ways. Wemalo paces an account by
 * `x-wemalo-limit-maxcall` / `x-wemalo-limit-remainingcall` and answers 419 once the calls are used
 * up (as its own WooCommerce plugin reads it). The account's AccountPacer Durable Object
 * (src/pacing/, named by the hash of base URL and token) counts the calls left for every
 * connection, isolate and consumer of the account: each call takes one, each answer reports the
 * remaining count, and when none are left the next call waits (inline when short, else the queue
 * retries later). A 4xx carries Wemalo's error body (`message`, `error`, `field` …): it becomes a
 * FinalError with that message, unless the caller accepts the status. 419, 429, 5xx and timeouts
 * are retryable.
 */
import { FinalError, RetryableError } from '../../core/errors'
import { type HttpRequest, type HttpResponse, parseRetryAfter } from '../../core/http-client'
import { type Observation, pacedRequest, type SlotRequest } from '../../pacing/pacer'
import type { ConnectorContext } from '../types'
import type { WemaloCredentials, WemaloSettings } from './schemas'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

/** No reset time is documented: after the last call of a window, hold back this long. */
export const WEMALO_PAUSE_SECONDS = 10
const MAX_INLINE_WAIT_MS = 2000
const CALLS = 'calls'
const SLOTS: SlotRequest[] = [{ bucket: CALLS, limit: { kind: 'quota' } }]

function wemaloPacer(context: Context) {
  return context.pacer([context.http.baseUrl.replace(/\/+$/, ''), context.credentials.token], { secret: true })
}

/** What the limit headers (or a 419) say: calls left, the window taken as WEMALO_PAUSE_SECONDS. */
export function wemaloObservations(response: Pick<HttpResponse, 'status' | 'headers'>): Observation[] {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
  if (response.status === 419) {
    return [{ bucket: CALLS, kind: 'pause', forMs: (retryAfter ?? WEMALO_PAUSE_SECONDS) * 1000, limit: SLOTS[0].limit }]
  }
  const remaining = response.headers.get('x-wemalo-limit-remainingcall')
  if (remaining === null || remaining.trim() === '' || !Number.isFinite(Number(remaining))) return []
  const max = Number(response.headers.get('x-wemalo-limit-maxcall') ?? Number.NaN)
  return [
    {
      bucket: CALLS,
      kind: 'quota',
      left: Math.max(0, Number(remaining)),
      limit: Number.isFinite(max) ? max : null,
      resetInMs: (retryAfter ?? WEMALO_PAUSE_SECONDS) * 1000,
    },
  ]
}

/** Every 4xx but 429 (which pacedRequest waits out through the pacer): Wemalo's error body is read here. */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, index) => 400 + index).filter((status) => status !== 429)

/** Wemalo's message from an error body (no formal schema is published), else the raw text. */
export function wemaloErrorMessage(response: Pick<HttpResponse, 'status' | 'text'>): string {
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch {
    return response.text.trim().slice(0, 300) || `HTTP ${response.status}`
  }
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>
    const parts = [record.message ?? record.msg ?? record.errorMessage, record.error, record.field]
      .filter((part) => typeof part === 'string' && part.trim() !== '')
      .map(String)
    if (parts.length) return [...new Set(parts)].join(' · ').slice(0, 300)
  }
  return response.text.trim().slice(0, 300) || `HTTP ${response.status}`
}

export async function wemaloRequest(context: Context, path: string, request: HttpRequest = {}): Promise<HttpResponse> {
  const accepted = request.accept ?? []
  const method = request.method ?? (request.json === undefined ? 'GET' : 'POST')
  const response = await pacedRequest({
    pacer: await wemaloPacer(context),
    label: `Wemalo ${method} ${path}`,
    slots: SLOTS,
    maxWaitMs: MAX_INLINE_WAIT_MS,
    callerAccepts429: accepted.includes(429),
    send: () =>
      context.http.request(path, {
        ...request,
        headers: { ...request.headers, authorization: `JWT ${context.credentials.token}` },
        accept: [...new Set([...accepted, ...CLIENT_ERRORS, 429])],
      }),
    observe: wemaloObservations,
  })
  if (response.status === 408) throw new RetryableError(`Wemalo ${method} ${path} answered 408`)
  if (response.status === 419) {
    throw new RetryableError(
      `Wemalo ${method} ${path}: call limit reached (419)`,
      parseRetryAfter(response.headers.get('retry-after')) ?? WEMALO_PAUSE_SECONDS
    )
  }
  if (response.status >= 400 && !accepted.includes(response.status)) {
    throw new FinalError(`Wemalo ${method} ${path} answered ${response.status}: ${wemaloErrorMessage(response)}`)
  }
  return response
}
