/**
 * The one way connectors call platforms. It resolves paths against the connection's base URL,
 * waits out short 429s inline (as the platforms' own clients do), and classifies every other
 * failure: 429 / 5xx / network → RetryableError (the queue retries later, Retry-After honoured),
 * other 4xx → FinalError (dead letter), unless the caller accepts that status.
 */
import { FinalError, RetryableError } from './errors'
import { parseJsonLosslessly } from './json'

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
}

const INLINE_ATTEMPTS = 3

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
  const { baseUrl, maxInlineWaitSeconds = 2, timeoutMs = 20_000 } = options
  const doFetch = options.fetch ?? fetch

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
    const where = `${method} ${url.pathname}`

    for (let attempt = 1; ; attempt++) {
      let response: Response
      try {
        response = await doFetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) })
      } catch (error) {
        throw new RetryableError(`${where}: ${error instanceof Error ? error.message : 'network error'}`)
      }
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
        throw new RetryableError(`${where} answered ${status}`, retryAfter)
      }
      throw new FinalError(`${where} answered ${status}: ${text.slice(0, 300)}`)
    }
  }

  return { baseUrl, request }
}
