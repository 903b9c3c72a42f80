/**
 * Every platform Kontor speaks, one line each. The rest of Kontor finds a connector here by the
 * connection's `platform` and never imports a connector folder directly.
 */
import type { Platform } from '../core/model'
import { billbeeConnector } from './billbee'
import { cartumConnector } from './cartum'
import { plenigoConnector } from './plenigo'
import { plentymarketsConnector } from './plentymarkets'
import { shopifyConnector } from './shopify'
import type { Connector, DestinationConnector, SourceConnector } from './types'
import { wemaloConnector } from './wemalo'
import { wooCommerceConnector } from './woocommerce'

// A Map, not an object: a platform named "__proto__" or "toString" must find nothing.
const connectors = new Map<string, Connector>(
  [
    shopifyConnector,
    wooCommerceConnector,
    cartumConnector,
    plentymarketsConnector,
    billbeeConnector,
    plenigoConnector,
    wemaloConnector,
  ].map((connector) => [connector.platform, connector as Connector])
)

export function findConnector(platform: string): Connector | undefined {
  return connectors.get(platform)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers parse credentials and settings with the connector's own schemas
export function findSourceConnector(platform: string): SourceConnector<any, any> | undefined {
  const connector = connectors.get(platform)
  return connector?.role === 'source' ? connector : undefined
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export function findDestinationConnector(platform: string): DestinationConnector<any, any> | undefined {
  const connector = connectors.get(platform)
  return connector?.role === 'destination' ? connector : undefined
}

export function supportedPlatforms(): Platform[] {
  return [...connectors.keys()] as Platform[]
}
