/**
 * Which platform account a connection's credentials reach, as one hashed key. Order ids derive
 * from the connection id, and a destination knows an order by that id (Wemalo's `externalId`), so
 * one account must be one identity per tenant (issue 16, finding 1). The key is a hash because
 * some accounts are named only by a secret (Billbee's API key, Wemalo's token).
 */
import type { Connector } from '../connectors/types'
import { sha256Hex } from '../core/crypto'

function normalisedUrl(url: string): string {
  try {
    return new URL(url).href.replace(/\/+$/, '')
  } catch {
    // Unparseable URLs are refused by the URL checks before a key is ever needed; keep them as given.
    return url
  }
}

/**
 * The platform, the API base the credentials name (a shop domain, a site, a plentymarkets system),
 * the base URL the settings point at instead (a proxy, a simulator), and what the connector says
 * names the account where the base URL is the same for everyone (an API key, a token).
 */
export async function accountKey(
  connector: Connector,
  credentials: Record<string, unknown>,
  settings: Record<string, unknown>
): Promise<string> {
  const baseUrl = typeof settings.baseUrl === 'string' ? normalisedUrl(settings.baseUrl) : ''
  const parts = [
    connector.platform,
    normalisedUrl(connector.apiBaseUrl(credentials)),
    baseUrl,
    connector.accountIdentity?.(credentials) ?? '',
  ]
  return `acct_${await sha256Hex(parts.join('\u001f'))}`
}
