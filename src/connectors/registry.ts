/**
 * Every platform Kontor speaks, one line each. The rest of Kontor finds a connector here by the
 * connection's `platform` and never imports a connector folder directly.
 */
import type { Platform } from '../core/model'
import { shopifyConnector } from './shopify'
import { billbeeConnector } from './billbee'
import { cartumConnector } from './cartum'
import { plentymarketsConnector } from './plentymarkets'
import { wooCommerceConnector } from './woocommerce'
import type { Connector } from './types'

const connectors: Partial<Record<Platform, Connector<any, any>>> = {
  shopify: shopifyConnector,
  woocommerce: wooCommerceConnector,
  cartum: cartumConnector,
  plentymarkets: plentymarketsConnector,
  billbee: billbeeConnector,
}

export function findConnector(platform: string): Connector<any, any> | undefined {
  return connectors[platform as Platform]
}

export function supportedPlatforms(): Platform[] {
  return Object.keys(connectors) as Platform[]
}
