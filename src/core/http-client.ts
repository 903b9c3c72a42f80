/**
 * The one way connectors call platforms. It resolves paths against the connection's base URL,
 * waits out short 429s inline (as the platforms' own clients do), and classifies every other
 * failure: 429 / 5xx / network → RetryableError (the queue retries later, Retry-After honoured),
 * other 4xx → FinalError (dead letter), unless the caller accepts that status.
 *
 * Redirects are followed here, not by fetch: at most `maxRedirects` hops, each checked with the
 * same URL rules as the base URL (src/core/url-safety.ts), and the configured headers (API keys,
 * Authorization) go only to the base URL's origin, never to a host a redirect points at.
 */
import { FinalError, RetryableError } from './errors'
import { parseJsonLosslessly } from './json'
import { unsafeUrlReason } from './url-safety'

export type HttpRequest = {
  method?: string
  query?: Record<string, string | number | boolean | (string | number)[] | null | undefined>
  headers?: Record<string, string>
  json?: unknown
  form?: Record<string, string>
  /** Statuses the caller handles itself instead of getting an error thrown. */
  accept?: number[]
}

export type HttpResponse = {
  status: number
  headers: Headers
  text: string
  json<T = unknown>(): T
}

export type HttpClient = {
  readonly baseUrl: string
  request(path: string, request?: HttpRequest): Promise<HttpResponse>
}

export type HttpClientOptions = {
  baseUrl: string
  headers?: () => Record<string, string> | Promise<Record<string, string>>
  /** Longest Retry-After waited out inline; longer ones go back to the queue. */
  maxInlineWaitSeconds?: number
  timeoutMs?: number
  fetch?: typeof fetch
  /** ALLOW_INSECURE_URLS: http and local hosts may be called (local dev, tests). */
  allowInsecureUrls?: boolean
  /** Redirect hops followed per request (each one checked). */
  maxRedirects?: number
}

const INLINE_ATTEMPTS = 3
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers that may go to any host: everything else a caller sets may carry credentials. */
const PUBLIC_HEADERS = new Set(['accept', 'content-type', 'user-agent'])

/** What went wrong on the network, from the error's cause where the runtime gives one. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error ?? 'network error')
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return [typeof code === 'string' && !cause.message.includes(code) ? code : null, cause.message]
      .filter(Boolean)
      .join(' ')
  }
  if (typeof cause === 'string' && cause) return cause
  if (cause && typeof cause === 'object' && 'code' in cause) return String((cause as { code: unknown }).code)
  return error.name === 'Error' || error.name === 'TypeError' ? error.message : `${error.name}: ${error.message}`
}

function where(method: string, url: URL): string {
  return `${method} ${url.host}${url.pathname}`
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000)
}

function buildUrl(baseUrl: string, path: string, query: HttpRequest['query']): URL {
  const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(baseUrl.replace(/\/$/, '') + path)
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === null || value === undefined) continue
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, String(item))
    else url.searchParams.set(name, String(value))
  }
  return url
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { baseUrl, maxInlineWaitSeconds = 2, timeoutMs = 20_000, maxRedirects = 5 } = options
  const doFetch = options.fetch ?? fetch
  const allowInsecure = options.allowInsecureUrls ?? false
  const baseOrigin = new URL(baseUrl).origin

  /** One request, its redirects followed and checked hop by hop. */
  async function send(
    start: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    accept: number[]
  ): Promise<{ response: Response; url: URL; method: string }> {
    let url = start
    for (let hop = 0; ; hop++) {
      const reason = unsafeUrlReason(url.href, allowInsecure)
      if (reason) {
        throw new FinalError(
          hop === 0
            ? `${where(method, url)}: the URL ${reason}`
            : `${where(method, url)}: a redirect to ${url.origin} refused, the URL ${reason}`
        )
      }
      // Credentials (the configured and the caller's headers) go to the base URL's origin only.
      const hopHeaders =
        url.origin === baseOrigin
          ? headers
          : Object.fromEntries(
              Object.entries(headers).filter(
                ([name]) =>
                  PUBLIC_HEADERS.has(name.toLowerCase()) &&
                  (body !== undefined || name.toLowerCase() !== 'content-type')
              )
            )
      let response: Response
      try {
        response = await doFetch(url, {
          method,
          headers: hopHeaders,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        throw new RetryableError(`${where(method, url)}: ${describeNetworkError(error)}`)
      }
      const location = response.headers.get('location')
      if (!REDIRECT_STATUSES.has(response.status) || accept.includes(response.status) || !location) {
        return { response, url, method }
      }
      await response.body?.cancel()
      if (hop >= maxRedirects) throw new FinalError(`${where(method, url)}: more than ${maxRedirects} redirects`)
      let next: URL
      try {
        next = new URL(location, url)
      } catch {
        throw new FinalError(`${where(method, url)}: a redirect to an unreadable location`)
      }
      // As fetch does: 303 (and 301/302 after a POST) continue as a GET without the body.
      if (
        (response.status === 303 && method !== 'HEAD') ||
        ([301, 302].includes(response.status) && method === 'POST')
      ) {
        method = 'GET'
        body = undefined
      }
      url = next
    }
  }

  async function request(path: string, request: HttpRequest = {}): Promise<HttpResponse> {
    const url = buildUrl(baseUrl, path, request.query)
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(await options.headers?.()),
      ...request.headers,
    }
    let body: string | undefined
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(request.json)
    } else if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(request.form).toString()
    }
    const method = request.method ?? (body === undefined ? 'GET' : 'POST')

    for (let attempt = 1; ; attempt++) {
      const sent = await send(url, method, headers, body, request.accept ?? [])
      const { response } = sent
      const at = where(sent.method, sent.url)
      const text = await response.text()
      const status = response.status
      if (request.accept?.includes(status) || (status >= 200 && status < 300)) {
        return { status, headers: response.headers, text, json: <T>() => parseJsonLosslessly(text) as T }
      }
      if (status === 429 || status >= 500) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
        const wait = retryAfter ?? 1
        if (status === 429 && attempt < INLINE_ATTEMPTS && wait <= maxInlineWaitSeconds) {
          await new Promise((resolve) => setTimeout(resolve, wait * 1000))
          continue
        }
        throw new RetryableError(`${at} answered ${status}`, retryAfter)
      }
      // A redirect to another host got no credentials: say so, or a 401 there reads like wrong keys.
      const elsewhere =
        sent.url.origin !== baseOrigin && (status === 401 || status === 403)
          ? ` (redirected away from ${baseOrigin}; credentials are sent only there)`
          : ''
      throw new FinalError(`${at} answered ${status}${elsewhere}: ${text.slice(0, 300)}`)
    }
  }

  return { baseUrl, request }
}
