/**
 * Routes every outbound request of the Worker under test (and of the tests themselves) to the
 * simulator that answers for its host. A request to any other host fails loudly: tests never
 * reach the network.
 */
import { billbeeSimulator } from './billbee'
import { cartumSimulator } from './cartum'
import { hubReceiverSimulator } from './hub-receiver'
import { plenigoSimulator } from './plenigo'
import { plentymarketsSimulator } from './plentymarkets'
import type { Simulator } from './simulator'
import { shopifySimulator } from './shopify'
import { wemaloSimulator } from './wemalo'
import { wooCommerceSimulator } from './woocommerce'

export const simulators: Simulator[] = [
  shopifySimulator,
  wooCommerceSimulator,
  cartumSimulator,
  plentymarketsSimulator,
  billbeeSimulator,
  wemaloSimulator,
  plenigoSimulator,
  hubReceiverSimulator,
]

export async function routeOutbound(request: Request): Promise<Response> {
  const hostname = new URL(request.url).hostname
  const simulator = simulators.find((candidate) => candidate.handles(hostname))
  if (!simulator) {
    return new Response(`no simulator answers for ${hostname}`, { status: 599 })
  }
  return simulator.fetch(request)
}
