/**
 * wemalo-connect calls: `Authorization: JWT <token>`, JSON both ways. Wemalo paces an account by
 * `x-wemalo-limit-maxcall` / `x-wemalo-limit-remainingcall` and answers 419 once the calls are used
 * up (as its own WooCommerce plugin reads it); when the remaining calls reach zero the next call
 * waits (inline when short, else the queue retries later). A 4xx carries Wemalo's error body
 * (`message`, `error`, `field` …): it becomes a FinalError with that message, unless the caller
 * accepts the status. 419, 429, 5xx and timeouts are retryable.
 */
import { FinalError, RetryableError } from '../../core/errors'
import { type HttpRequest, type HttpResponse, parseRetryAfter } from '../../core/http-client'
import type { ConnectorContext } from '../types'
import type { WemaloCredentials, WemaloSettings } from './schemas'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

/** No reset time is documented: after the last call of a window, hold back this long. */
export const WEMALO_PAUSE_SECONDS = 10
const MAX_INLINE_WAIT_MS = 2000

/** Per connection: until when Wemalo's call limit asks us to hold back. */
const pausedUntil = new Map<string, number>()

/** Every 4xx but 429 (which the shared client waits out): Wemalo's error body is read here. */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, index) => 400 + index).filter((status) => status !== 429)

async function respectCallLimit(connectionId: string) {
  const waitMs = (pausedUntil.get(connectionId) ?? 0) - Date.now()
  if (waitMs <= 0) return
  if (waitMs <= MAX_INLINE_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, waitMs))
  else throw new RetryableError('Wemalo call limit reached (x-wemalo-limit-remainingcall 0)', Math.ceil(waitMs / 1000))
}

function noteCallLimit(connectionId: string, response: HttpResponse) {
  const remaining = response.headers.get('x-wemalo-limit-remainingcall')
  if (response.status === 419 || (remaining !== null && remaining.trim() !== '' && Number(remaining) <= 0)) {
    const seconds = parseRetryAfter(response.headers.get('retry-after')) ?? WEMALO_PAUSE_SECONDS
    pausedUntil.set(connectionId, Math.max(pausedUntil.get(connectionId) ?? 0, Date.now() + seconds * 1000))
  }
}

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
  const connectionId = context.connection.id
  await respectCallLimit(connectionId)
  const accepted = request.accept ?? []
  const response = await context.http.request(path, {
    ...request,
    headers: { ...request.headers, authorization: `JWT ${context.credentials.token}` },
    accept: [...new Set([...accepted, ...CLIENT_ERRORS])],
  })
  noteCallLimit(connectionId, response)
  const method = request.method ?? (request.json === undefined ? 'GET' : 'POST')
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

/** For tests: forget a connection's pause. */
export function resetWemaloCallLimit(connectionId: string) {
  pausedUntil.delete(connectionId)
}
