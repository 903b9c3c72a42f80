/**
 * Outbound URLs a tenant may set (settings.baseUrl, shop domains and site URLs, hub webhook
 * endpoints) and every hop of a redirect: `unsafeUrlReason` is the one checker for all of them.
 *
 * The host is taken as the WHATWG URL parser normalises it (lower case; IPv4 written in decimal,
 * octal or hex, or with fewer than four parts, becomes dotted decimal; IPv6 is compressed), then
 * trailing dots are dropped. Refused unless ALLOW_INSECURE_URLS is "true" (local dev and tests):
 * plain http, credentials in the URL, single-label names (`https://metadata`), names that only
 * resolve inside a network (localhost, *.local, *.internal, *.arpa …), and IP literals in any
 * special-purpose range of the IANA IPv4 and IPv6 special-purpose registries (loopback, private,
 * shared, link-local, benchmarking, documentation, multicast, reserved, IPv4-mapped, NAT64, 6to4 …).
 * The ranges are ipaddr.js's (a maintained copy of those registries), not a table of our own.
 * A name that resolves to such an address is not caught here; Workers' fetch does not reach
 * private networks, which covers that case on Cloudflare.
 */
import ipaddr from 'ipaddr.js'

/** Names that never point at the public internet (RFC 6761, RFC 6762, RFC 8375, ICANN private use). */
const LOCAL_SUFFIXES = [
  'localhost',
  'local',
  'localdomain',
  'internal',
  'intranet',
  'lan',
  'home',
  'corp',
  'arpa',
  'onion',
  'invalid',
]

/** Anything else ipaddr.js names (private, loopback, reserved, 6to4 …) is special-purpose. */
const PUBLIC_RANGE = 'unicast'
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3')

/** A dotted-decimal IPv4 address (the URL parser writes every IPv4 form so) outside public unicast. */
export function isSpecialPurposeIpv4(address: string): boolean {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) return false
  return ipaddr.IPv4.parse(address).range() !== PUBLIC_RANGE
}

/**
 * IPv6: only global unicast (2000::/3) may be called, and within it none of the blocks ipaddr.js
 * knows as special (TEREDO, benchmarking, ORCHID, documentation, 6to4, AS112 …).
 * Everything outside 2000::/3 — ::, ::1, IPv4-mapped and -compatible, NAT64, 100::/64, fc00::/7,
 * fe80::/10, fec0::/10, ff00::/8 — is special too, and so is text that is no IPv6 address.
 */
export function isSpecialPurposeIpv6(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, '')
  if (!ipaddr.IPv6.isValid(text)) return true
  const parsed = ipaddr.IPv6.parse(text)
  return !parsed.match(GLOBAL_UNICAST) || parsed.range() !== PUBLIC_RANGE
}

/** The host as compared: lower case, without trailing dots and IPv6 brackets. */
export function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '')
}

/** Why `value` must not be called, or null when it may. */
export function unsafeUrlReason(value: string, allowInsecure: boolean): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'is not a URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http(s)'
  if (allowInsecure) return null
  if (url.protocol !== 'https:') return 'must use https'
  if (url.username || url.password) return 'must not carry credentials'
  const host = normaliseHost(url.hostname)
  if (!host) return 'has no host'
  if (host.startsWith('[')) {
    return isSpecialPurposeIpv6(host) ? 'must not point at a private, loopback or special-purpose address' : null
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
    return isSpecialPurposeIpv4(host) ? 'must not point at a private, loopback or special-purpose address' : null
  }
  const labels = host.split('.')
  if (labels.length < 2) return 'must name a fully qualified host, not a single label'
  if (labels.some((label) => !label)) return 'has an empty label in its host'
  if (LOCAL_SUFFIXES.includes(labels[labels.length - 1])) return 'must not point at a local or internal host'
  return null
}

/** Throws-free convenience for callers that only need a yes or no (hub webhook endpoints …). */
export function isSafeOutboundUrl(value: string, allowInsecure: boolean): boolean {
  return unsafeUrlReason(value, allowInsecure) === null
}
