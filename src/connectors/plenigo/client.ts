/**
 * plenigo API v3 calls: the `X-plenigo-token` header on every call, and plenigo's error body
 * (`{errorCode, errorMessage, validationErrors?}`) turned into errors that carry its code. The
 * HTTP client already makes 429 (99429), 5xx and network failures a RetryableError with
 * Retry-After; here the codes plenigo documents as temporary become one too: 97004 (the import
 * queue is full) and 423 / 20026 (a registration for that email is locked for ten seconds).
 * Every other 4xx is a PlenigoApiError (a FinalError) with plenigo's code and message.
 */
import { FinalError, RetryableError } from '../../core/errors'
import { type HttpRequest, type HttpResponse, parseRetryAfter } from '../../core/http-client'
import type { ConnectorContext } from '../types'
import { type PlenigoCredentials, type PlenigoErrorBody, plenigoErrorSchema, type PlenigoSettings } from './schemas'

export type PlenigoContext = ConnectorContext<PlenigoCredentials, PlenigoSettings>

/** plenigo's error codes Kontor acts on (ERRORCODES.md). */
export const PLENIGO_ERRORS = {
  emailExists: 20007,
  registrationLocked: 20026,
  alreadyImported: 97001,
  importQueueFull: 97004,
  rateLimit: 99429,
} as const

/** Error codes after which the same call may pass later. */
const TEMPORARY_CODES = new Set<number>([
  PLENIGO_ERRORS.registrationLocked,
  PLENIGO_ERRORS.importQueueFull,
  PLENIGO_ERRORS.rateLimit,
  99500,
  99502,
  99503,
  99504,
])
const QUEUE_FULL_RETRY_SECONDS = 60
const LOCKED_RETRY_SECONDS = 10

/** A refusal by plenigo that will not pass by sending the same request again. */
export class PlenigoApiError extends FinalError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | null,
    readonly body: PlenigoErrorBody | null
  ) {
    super(message)
  }
}

/** Every 4xx but 429 comes back to us, so plenigo's error body can be read. */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, index) => 400 + index).filter((status) => status !== 429)

export function readPlenigoError(text: string): PlenigoErrorBody | null {
  try {
    const parsed = plenigoErrorSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

export function describePlenigoError(body: PlenigoErrorBody | null, fallback: string): string {
  if (!body) return fallback
  const fields = (body.validationErrors ?? [])
    .map(
      (entry) =>
        `${entry.field ?? '?'}: ${entry.error ?? 'invalid'}${entry.value !== undefined ? ` (${String(entry.value)})` : ''}`
    )
    .join('; ')
  return `plenigo error ${body.errorCode}: ${body.errorMessage ?? 'no message'}${fields ? ` [${fields}]` : ''}`
}

export async function plenigoRequest(
  context: PlenigoContext,
  path: string,
  request: HttpRequest = {}
): Promise<HttpResponse> {
  const method = request.method ?? (request.json === undefined ? 'GET' : 'POST')
  const response = await context.http.request(path, {
    ...request,
    method,
    headers: { ...request.headers, 'X-plenigo-token': context.credentials.apiToken },
    accept: [...(request.accept ?? []), ...CLIENT_ERRORS],
  })
  if (response.status < 400 || request.accept?.includes(response.status)) return response
  const body = readPlenigoError(response.text)
  const message = `plenigo ${method} ${path} answered ${response.status}: ${describePlenigoError(body, response.text.slice(0, 300) || 'no body')}`
  if (response.status === 423 || (body && TEMPORARY_CODES.has(body.errorCode))) {
    const seconds =
      parseRetryAfter(response.headers.get('retry-after')) ??
      (body?.errorCode === PLENIGO_ERRORS.importQueueFull
        ? QUEUE_FULL_RETRY_SECONDS
        : response.status === 423 || body?.errorCode === PLENIGO_ERRORS.registrationLocked
          ? LOCKED_RETRY_SECONDS
          : undefined)
    throw new RetryableError(message, seconds)
  }
  throw new PlenigoApiError(message, response.status, body?.errorCode ?? null, body)
}
