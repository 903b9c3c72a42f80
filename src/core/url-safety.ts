/**
 * Outbound URLs a tenant may set (settings.baseUrl, shop domains). Plain http and private or
 * loopback hosts are refused unless ALLOW_INSECURE_URLS is "true" (local dev and tests), so a
 * tenant cannot point Kontor at the operator's own network.
 */
const PRIVATE_HOST =
  /^(localhost|.*\.localhost|.*\.local|.*\.internal|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|0\.0\.0\.0|\[.*\])$/i

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
  if (PRIVATE_HOST.test(url.hostname)) return 'must not point at a private or loopback host'
  return null
}
