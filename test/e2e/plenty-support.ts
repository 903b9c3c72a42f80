/** Shared step of the plentymarkets tests: a simulated plenty system with orders, and a connection to it. */
import { createConnection, simulatorCall, uniqueName } from '../helpers'

/**
 * Sets up a plenty system (`system` passes simulator options such as `maxSessions`) holding
 * `orders` (and item `variations`), and connects the tenant of `token` to it; the connection's backfill starts at once.
 */
export async function plentyConnection(
  token: string,
  options: { orders?: unknown[]; variations?: unknown[]; system?: Record<string, unknown>; routes?: string[] } = {}
) {
  const host = `${uniqueName('p')}.plentymarkets-cloud01.com`
  await simulatorCall(host, '/_sim/system', { username: 'kontor', password: 'secret', ...options.system })
  if (options.orders?.length) await simulatorCall(host, '/_sim/orders', { orders: options.orders })
  if (options.variations?.length) await simulatorCall(host, '/_sim/variations', { variations: options.variations })
  const connection = await createConnection(token, {
    platform: 'plentymarkets',
    credentials: {
      url: `https://${host}`,
      username: 'kontor',
      password: 'secret',
      plentyId: 1000,
      warehouseId: 1,
      storageLocationId: 0,
    },
    ...(options.routes ? { routes: options.routes } : {}),
  })
  return { host, connection }
}
