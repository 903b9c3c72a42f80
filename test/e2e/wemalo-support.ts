/** Shared steps of the tests with Wemalo as the destination: a fresh simulated account, a tenant and its connection to it. */
import { apiJson, createConnection, createTenant, listAll, simulatorCall, uniqueName, waitFor } from '../helpers'
import { simulatedShop, WEBHOOK_SECRET } from './shopify-support'

/**
 * A tenant (EUR) with a Wemalo connection on a new simulated account. `account` goes to the
 * simulator's account (e.g. its call limit), `settings` over the connection's defaults (callbacks
 * registered with ops@example.com).
 */
export async function wemaloDestination(options: {
  token: string
  hostPrefix?: string
  account?: Record<string, unknown>
  settings?: Record<string, unknown>
}) {
  const host = `${uniqueName(options.hostPrefix ?? 'w')}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: options.token, ...options.account })
  const tenant = await createTenant('EUR')
  const destination = await createConnection(tenant.token, {
    platform: 'wemalo',
    credentials: { token: options.token },
    settings: { baseUrl: `https://${host}/v1`, webhookEmail: 'ops@example.com', ...options.settings },
  })
  return { host, tenant, destination }
}

/** A Wemalo destination (as wemaloDestination) and a Shopify source on a new simulated shop of the same tenant. */
export async function shopifyAndWemalo(options: {
  token: string
  wemaloSettings?: Record<string, unknown>
  shopifySettings?: Record<string, unknown>
  /** Whether the source's orders are routed to Wemalo by the connection itself. */
  routed: boolean
}) {
  const { host, tenant, destination } = await wemaloDestination({
    token: options.token,
    settings: options.wemaloSettings,
  })
  const shop = await simulatedShop()
  const source = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    settings: options.shopifySettings ?? {},
    routes: options.routed ? [destination.id] : undefined,
  })
  return { wemaloHost: host, tenant, destination, shop, source }
}

/** The order a connection imported under the platform's id, once it is there, as the API returns it. */
export async function kontorOrder(token: string, connectionId: string, externalId: string): Promise<any> {
  return waitFor(
    async () => {
      const summary = (await listAll(`/api/v1/orders?connectionId=${connectionId}`, token)).find(
        (item: any) => item.externalId === externalId
      )
      return summary ? apiJson(`/api/v1/orders/${summary.id}`, { token }) : null
    },
    { what: `order ${externalId}`, timeoutMs: 30_000 }
  )
}
