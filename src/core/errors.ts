/**
 * Errors that decide what happens next. A queue consumer retries a `RetryableError` (after
 * `retryAfterSeconds` when the platform said so) and sends a `FinalError` straight to the
 * dead-letter table; the HTTP layer turns an `ApiError` into SPEC §3's error envelope.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`)

/** A failure that may pass: a 429, a 5xx, a network error. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number
  ) {
    super(message)
    this.name = 'RetryableError'
  }
}

/** A failure that will not pass by trying again: bad credentials, a refused request. */
export class FinalError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FinalError'
  }
}
