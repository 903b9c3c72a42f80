/**
 * Issue 16, finding 3: a write-back step whose call reached the platform but whose record was
 * lost (a timeout the platform survived, an isolate that died) is claimed again once its lease
 * ran out; Billbee shipments and WooCommerce notes then ask the platform first (`alreadyDone`)
 * and add nothing twice. Real D1 steps, the platforms' simulators.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { ConnectorContext } from '../../src/connectors/types'
import { billbeeSettingsSchema } from '../../src/connectors/billbee/schemas'
import { writeBackToBillbee } from '../../src/connectors/billbee/write-back'
import { wooSettingsSchema } from '../../src/connectors/woocommerce/schemas'
import { writeBackToWooCommerce } from '../../src/connectors/woocommerce/write-back'
import { createHttpClient } from '../../src/core/http-client'
import type { OrderSnapshot } from '../../src/core/model'
import { database } from '../../src/db/client'
import { outboundSteps } from '../../src/exactly-once/steps'
import { pacerPort, simulatorCall, uniqueName } from '../helpers'
import { billbeeOrderPayload } from '../simulators/billbee'
import { wooOrderPayload } from '../simulators/woocommerce'

function contextFor<C, S>(platform: string, baseUrl: string, credentials: C, settings: S): ConnectorContext<C, S> {
  return {
    connection: { id: `con_${uniqueName()}`, tenantId: 'tnt_steps', platform: platform as never },
    credentials,
    settings,
    http: createHttpClient({ baseUrl }),
    session: { get: async () => null, set: async () => undefined },
    pacer: pacerPort(platform),
    now: () => new Date(),
  }
}

const shipped = { type: 'shipped' as const, message: null, tracking: [{ number: 'TRK-1', carrier: 'DHL' }] }

function stepsOf(owner: string) {
  return outboundSteps(database(env.DB), {
    tenantId: 'tnt_steps',
    connectionId: 'con_steps',
    orderId: null,
    owner,
    action: 'write-back:shipped',
  })
}

/** The call went through, but its record did not: the step is left `started`, its lease long gone. */
async function loseRecord(stepKey: string) {
  await env.DB.prepare("update outbound_calls set result = 'started', lease_until = null where step_key = ?")
    .bind(stepKey)
    .run()
}

describe('finding 3: write-back steps ask the platform before repeating a call', () => {
  it('finding 3: a Billbee shipment whose record was lost is found among ShippingIds, not posted twice', async () => {
    const apiKey = uniqueName('key')
    const billbee = (path: string, body?: unknown) => simulatorCall('app.billbee.io', `${path}?account=${apiKey}`, body)
    await billbee('/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
    await billbee('/_sim/orders', { orders: [billbeeOrderPayload({ BillBeeOrderId: 30_000_000_001 })] })
    const context = contextFor(
      'billbee',
      'https://app.billbee.io',
      { username: 'shop@example.com', apiPassword: 'secret', apiKey },
      billbeeSettingsSchema.parse({ ordersTag: 'kontor' })
    )
    const order = {
      externalId: '30000000001',
      status: 'shipped',
      tracking: shipped.tracking,
    } as unknown as OrderSnapshot
    const owner = `event:${uniqueName('evt')}`
    await writeBackToBillbee(context as never, order, shipped, stepsOf(owner))
    await loseRecord(`${owner}:shipment:TRK-1`)
    await writeBackToBillbee(context as never, order, shipped, stepsOf(owner))
    const state = await billbee('/_sim/orders/30000000001')
    expect(state.shipments.map((entry: any) => entry.ShippingId)).toEqual(['TRK-1'])
  })

  it('finding 3: a WooCommerce note whose record was lost is found among the order notes, not added twice', async () => {
    const host = `${uniqueName('site')}.woo.example`
    await simulatorCall(host, '/_sim/site', { consumerKey: 'ck_test', consumerSecret: 'cs_test', webhookSecret: 'wh' })
    await simulatorCall(host, '/_sim/orders', { orders: [wooOrderPayload({ id: 601 })] })
    const context = contextFor(
      'woocommerce',
      `https://${host}`,
      { siteUrl: `https://${host}`, consumerKey: 'ck_test', consumerSecret: 'cs_test', webhookSecret: 'wh' },
      wooSettingsSchema.parse({})
    )
    const order = {
      externalId: '601',
      status: 'shipped',
      writtenOff: false,
      tracking: shipped.tracking,
    } as unknown as OrderSnapshot
    const owner = `event:${uniqueName('evt')}`
    await writeBackToWooCommerce(context as never, order, shipped, stepsOf(owner))
    await loseRecord(`${owner}:note`)
    const again = await writeBackToWooCommerce(context as never, order, shipped, stepsOf(owner))
    expect(again.detail).toContain('added before')
    const stored = await simulatorCall(host, '/_sim/orders/601')
    expect(stored.notes).toHaveLength(1)
  })
})
