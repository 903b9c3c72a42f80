/**
 * What the delivery log may keep of a request's headers and query string: everything an operator
 * needs to see what arrived, but no secret. A signature, a token, a cookie or a key keeps its
 * first 4 characters (enough to tell two apart) and says how long it was; a short one is masked
 * whole. Pure, so the list of what is masked is tested on its own.
 */

/** Header and query names masked by name (lower case). */
export const MASKED_NAMES = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-shopify-hmac-sha256',
  'x-wc-webhook-signature',
  'webhook-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'token',
  'key',
  'x-api-key',
] as const

/** Any other name that says it carries a secret (`x-foo-signature`, `x-auth-token`, `api_key` …). */
const SECRET_NAME = /signature|hmac|token|secret|passw|auth|cookie|api[-_]?key|(^|[-_])key$/i

export function isMaskedName(name: string): boolean {
  const lower = name.toLowerCase()
  return (MASKED_NAMES as readonly string[]).includes(lower) || SECRET_NAME.test(lower)
}

const SHOWN = 4
/** Shorter secrets are masked whole: four characters of eight would give away half. */
const SHORTEST_PARTLY_SHOWN = 12

export function maskValue(value: string): string {
  if (value.length < SHORTEST_PARTLY_SHOWN) return `•••• (masked, ${value.length} chars)`
  return `${value.slice(0, SHOWN)}•••• (masked, ${value.length} chars)`
}

/** At most this much of the headers is kept (names and values): refused requests are unauthenticated. */
const MAX_HEADER_CHARS = 8 * 1024
const MAX_HEADER_VALUE = 1024

export function maskedHeaders(headers: Headers): [string, string][] {
  const pairs: [string, string][] = []
  let kept = 0
  let left = 0
  headers.forEach((value, name) => {
    const masked = isMaskedName(name) ? maskValue(value) : value
    const shown = masked.length > MAX_HEADER_VALUE ? `${masked.slice(0, MAX_HEADER_VALUE)}… (truncated)` : masked
    if (kept + name.length + shown.length > MAX_HEADER_CHARS) {
      left++
      return
    }
    kept += name.length + shown.length
    pairs.push([name, shown])
  })
  if (left) pairs.push(['(not kept)', `${left} more headers`])
  return pairs
}

const MAX_URL = 2048

/** The request's path and query string, secret parameters masked. */
export function maskedUrl(url: string): string {
  const parsed = new URL(url)
  const query = [...parsed.searchParams]
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name)}=${isMaskedName(name) ? maskValue(value) : encodeURIComponent(value)}`
    )
    .join('&')
  const shown = query ? `${parsed.pathname}?${query}` : parsed.pathname
  return shown.length > MAX_URL ? `${shown.slice(0, MAX_URL)}… (truncated)` : shown
}
