/**
 * Abuse limits through the Workers rate-limiting binding (issue 18): the API per token and per
 * client address, the dashboard's sign-in per address and per token tried. A refused call
 * answers 429 with `Retry-After` (the binding's period: it does not say when its window ends).
 */
import { ApiError } from './errors'

/** The `period` of every `[[ratelimits]]` binding in wrangler.toml. */
export const RATE_LIMIT_PERIOD_SECONDS = 60

export class RateLimitedError extends ApiError {
  readonly retryAfterSeconds = RATE_LIMIT_PERIOD_SECONDS
  constructor(what: string) {
    super(429, 'rate_limited', `too many requests ${what}; retry after ${RATE_LIMIT_PERIOD_SECONDS} s`)
  }
}

/** The client's address as Cloudflare's edge saw it (`CF-Connecting-IP`, which a client cannot set). */
export function clientAddress(headers: Headers): string {
  return headers.get('cf-connecting-ip') ?? 'unknown'
}

/** Throws a RateLimitedError when any of the keys is over its limit. */
export async function enforceLimits(limiter: RateLimit, keys: { key: string; what: string }[]) {
  for (const { key, what } of keys) {
    const { success } = await limiter.limit({ key })
    if (!success) throw new RateLimitedError(what)
  }
}
