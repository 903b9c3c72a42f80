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
 * A name that resolves to such an address is not caught here; Workers' fetch does not reach
 * private networks, which covers that case on Cloudflare.
 */

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

/** IANA IPv4 special-purpose address registry, plus multicast (224/4) and 255.255.255.255. */
const IPV4_SPECIAL: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGN)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link local (cloud metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.31.196.0', 24], // AS112-v4
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // direct delegation AS112
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
]

function ipv4ToNumber(text: string): number | null {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null
  return parts.reduce((value, part) => value * 256 + Number(part), 0)
}

const IPV4_RANGES = IPV4_SPECIAL.map(([base, bits]) => ({ base: ipv4ToNumber(base)!, size: 2 ** (32 - bits) }))

export function isSpecialPurposeIpv4(address: string): boolean {
  const value = ipv4ToNumber(address)
  if (value === null) return false
  return IPV4_RANGES.some(({ base, size }) => value >= base && value < base + size)
}

/** Eight 16-bit groups, or null when `text` is not an IPv6 address (brackets already removed). */
function parseIpv6(text: string): number[] | null {
  let address = text.toLowerCase()
  const zone = address.indexOf('%')
  if (zone >= 0) address = address.slice(0, zone)
  // A trailing dotted IPv4 part (::ffff:127.0.0.1) becomes two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (dotted) {
    const v4 = ipv4ToNumber(dotted[2])
    if (v4 === null) return null
    address = `${dotted[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const halves = address.split('::')
  if (halves.length > 2) return null
  const groups = (half: string) => (half === '' ? [] : half.split(':'))
  const head = groups(halves[0])
  const tail = halves.length === 2 ? groups(halves[1]) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (!all.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null
  return all.map((group) => parseInt(group, 16))
}

/**
 * IPv6: only global unicast (2000::/3) may be called, and within it not the special-purpose
 * blocks: 2001::/23 (TEREDO, benchmarking, ORCHID …), 2001:db8::/32 and 3fff::/20
 * (documentation), 2002::/16 (6to4, which embeds an IPv4 address). Everything outside 2000::/3
 * — ::, ::1, IPv4-mapped and -compatible, 64:ff9b::/96 NAT64, 100::/64, fc00::/7, fe80::/10,
 * fec0::/10, ff00::/8 — is special too.
 */
export function isSpecialPurposeIpv6(address: string): boolean {
  const groups = parseIpv6(address.replace(/^\[|\]$/g, ''))
  if (!groups) return true
  const [first, second] = groups
  if ((first & 0xe000) !== 0x2000) return true
  if (first === 0x2001 && second < 0x0200) return true
  if (first === 0x2001 && second === 0x0db8) return true
  if (first === 0x2002) return true
  if (first === 0x3fff && second < 0x1000) return true
  return false
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
  if (ipv4ToNumber(host) !== null) {
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
