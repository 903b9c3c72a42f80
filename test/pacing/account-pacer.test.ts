/**
 * Pacing per platform account across consumers (issue 10): the AccountPacer Durable Object in
 * workerd, and four concurrent consumers of one Billbee account against the simulator, which
 * answers 429 to a third call of an endpoint within a second. No timing is asserted: the
 * simulator's record of what it refused is the measure.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { billbeeRequest, billbeeSlots } from '../../src/connectors/billbee/client'
import {
  type BillbeeCredentials,
  billbeeSettingsSchema,
  type BillbeeSettings,
} from '../../src/connectors/billbee/schemas'
import type { ConnectorContext } from '../../src/connectors/types'
import { createHttpClient } from '../../src/core/http-client'
import { accountPacer, pacedRequest, Pacer, pacerName, type RateLimit } from '../../src/pacing/pacer'
import { billbeeOrderPayload } from '../simulators/billbee'
import { apiJson, createConnection, createTenant, pacerPort, uniqueName, waitForJob } from '../helpers'
import { billbeeSim } from '../e2e/billbee-support'

const billbee = billbeeSim

async function billbeeAccount(orders: unknown[] = []) {
  const apiKey = uniqueName('pacing-key')
  await billbee(apiKey, '/_sim/account', { apiKey, username: 'shop@example.com', apiPassword: 'secret' })
  if (orders.length) await billbee(apiKey, '/_sim/orders', { orders })
  return apiKey
}

/**
 * The simulator reads the time of a call after checking it against Billbee's swagger, which it
 * loads on its first API call (hundreds of milliseconds): that first call would be timed late.
 * One call on a throwaway account loads it before anything is measured.
 */
async function warmSimulator() {
  const apiKey = await billbeeAccount()
  await fetch('https://app.billbee.io/api/v1/orders', {
    headers: { 'x-billbee-api-key': apiKey, authorization: `Basic ${btoa('shop@example.com:secret')}` },
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A caller held up between its grant and its call, as a busy isolate or a late answer holds it. */
class LatePacer extends Pacer {
  constructor(
    pacer: Pacer,
    private readonly lateMs: number
  ) {
    super(pacer.name, env.PACER.get(env.PACER.idFromName(pacer.name)))
  }

  override async acquire(...args: Parameters<Pacer['acquire']>) {
    const slot = await super.acquire(...args)
    await sleep(this.lateMs)
    return slot
  }
}

/** A connector context as a queue consumer builds it, one per consumer. */
function billbeeContext(apiKey: string): ConnectorContext<BillbeeCredentials, BillbeeSettings> {
  return {
    connection: { id: uniqueName('con_bb'), tenantId: 'ten_pacing', platform: 'billbee' },
    credentials: { apiKey, username: 'shop@example.com', apiPassword: 'secret' } as BillbeeCredentials,
    settings: billbeeSettingsSchema.parse({ ordersTag: 'kontor' }),
    http: createHttpClient({ baseUrl: 'https://app.billbee.io' }),
    session: { get: async () => null, set: async () => {} },
    pacer: pacerPort('billbee'),
    now: () => new Date(),
  }
}

describe('AccountPacer', () => {
  it('a secret never names the Durable Object in clear', async () => {
    const name = await pacerName('billbee', ['key-123|shop@example.com'], { secret: true })
    expect(name).toMatch(/^billbee:[0-9a-f]{64}$/)
    expect(name).not.toContain('key-123')
    expect(await pacerName('shopify', ['demo.myshopify.com'], { secret: false })).toBe('shopify:demo.myshopify.com')
  })

  it('two handles on one account share one bucket: the second reservation queues behind the first', async () => {
    const account = `${uniqueName('key')}|user`
    const slots = billbeeSlots('GET /orders')
    const first = await accountPacer(env.PACER, 'billbee', [account], { secret: true })
    const second = await accountPacer(env.PACER, 'billbee', [account], { secret: true })
    // Two separate stubs of the object, as two isolates would hold them.
    const stub = (pacer: typeof first) => env.PACER.get(env.PACER.idFromName(pacer.name))
    const a = await stub(first).acquire(slots, 60_000)
    const b = await stub(second).acquire(slots, 60_000)
    expect(a).toMatchObject({ reserved: true, waitMs: 0 })
    expect(b.reserved).toBe(true)
    expect(b.waitMs).toBeGreaterThan(0)
    // Another account is not held up by it.
    const other = await accountPacer(env.PACER, 'billbee', [`${uniqueName('key')}|user`], { secret: true })
    expect(await stub(other).acquire(slots, 60_000)).toMatchObject({ reserved: true, waitMs: 0 })
    // A slot further away than the caller may wait is not reserved.
    const refused = await stub(second).acquire(slots, 0)
    expect(refused.reserved).toBe(false)
    const snapshot = await env.PACER.get(env.PACER.idFromName(first.name)).snapshot()
    expect(Object.keys(snapshot.buckets).sort()).toEqual(['account', 'endpoint:GET /orders'])
  })

  it('a call that starts late after its grant pushes the next one back: no two calls start closer than the interval', async () => {
    const limit: RateLimit = { kind: 'rate', capacity: 1, intervalMs: 1000 }
    const pacer = await accountPacer(env.PACER, 'late-start', [uniqueName('account')], { secret: false })
    const starts: Record<string, number> = {}
    const call = (name: string, lateMs: number) =>
      pacedRequest({
        pacer: new LatePacer(pacer, lateMs),
        label: name,
        slots: [{ bucket: 'endpoint', limit }],
        maxWaitMs: 10_000,
        send: async () => {
          starts[name] = Date.now()
          return { status: 200, headers: new Headers(), text: '', json: <T>() => null as T }
        },
      })
    // The first call is granted at once but starts 600 ms later; the second asks 100 ms after it.
    await Promise.all([call('first', 600), sleep(100).then(() => call('second', 0))])
    expect(starts.second - starts.first).toBeGreaterThanOrEqual(limit.intervalMs)
  })

  it('the simulator enforces 2 calls per second per endpoint: unpaced, the third call at once is refused', async () => {
    await warmSimulator()
    const apiKey = await billbeeAccount()
    const headers = { 'x-billbee-api-key': apiKey, authorization: `Basic ${btoa('shop@example.com:secret')}` }
    const answers = await Promise.all(
      ['/api/v1/orders', '/api/v1/orders', '/api/v1/orders', '/api/v1/products'].map((path) =>
        fetch(`https://app.billbee.io${path}`, { headers })
      )
    )
    const byStatus = answers.map((answer) => answer.status)
    // Two of the three /orders calls pass, one is refused; /products is another endpoint.
    expect(byStatus.slice(0, 3).sort()).toEqual([200, 200, 429])
    expect(byStatus[3]).toBe(200)
    expect(answers.find((answer) => answer.status === 429)!.headers.get('retry-after')).toBe('1')
  })

  it('FIGURE: four concurrent consumers calling one Billbee account (12 calls to one endpoint) meet 0 × 429', async () => {
    await warmSimulator()
    const apiKey = await billbeeAccount([billbeeOrderPayload({ BillBeeOrderId: 1 })])
    const consumers = Array.from({ length: 4 }, () => billbeeContext(apiKey))
    await Promise.all(
      consumers.map(async (context) => {
        for (let call = 0; call < 3; call++) await billbeeRequest(context, '/orders', { query: { page: 1 } })
      })
    )
    const { requests } = await billbee(apiKey, '/_sim/requests')
    const statuses = requests.map((request: any) => request.status)
    console.info('pacing figure (client)', {
      consumers: 4,
      calls: statuses.length,
      refused429: statuses.filter((status: number) => status === 429).length,
    })
    expect(statuses).toHaveLength(12)
    expect(statuses.filter((status: number) => status === 429)).toHaveLength(0)
  })

  it('FIGURE: four Billbee connections of one account polling at once: the simulator answered 0 × 429', async () => {
    await warmSimulator()
    const apiKey = await billbeeAccount(
      Array.from({ length: 3 }, (_, index) => billbeeOrderPayload({ BillBeeOrderId: 500 + index }))
    )
    // Four tenants, each with a connection to the same Billbee account: four consumers.
    const connections = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const tenant = await createTenant('EUR')
        const connection = await createConnection(tenant.token, {
          platform: 'billbee',
          credentials: { username: 'shop@example.com', apiPassword: 'secret', apiKey },
          settings: { ordersTag: 'kontor' },
        })
        return { tenant, connection }
      })
    )
    // The backfills run concurrently; then every connection polls, all started at once.
    for (const { connection } of connections)
      expect((await waitForJob(connection.backfillJobId!, 120_000)).status).toBe('done')
    const jobs = await Promise.all(
      connections.map(({ tenant, connection }) =>
        apiJson<{ jobId: string }>(`/api/v1/connections/${connection.id}/sync`, {
          token: tenant.token,
          body: { mode: 'poll' },
        })
      )
    )
    for (const { jobId } of jobs) expect((await waitForJob(jobId, 120_000)).status).toBe('done')

    const { requests } = await billbee(apiKey, '/_sim/requests')
    const listings = requests.filter((request: any) => request.method === 'GET' && request.path === '/api/v1/orders')
    const byEndpoint: Record<string, number> = {}
    for (const request of requests) {
      const endpoint = `${request.method} ${request.path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`
      byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1
    }
    console.info('pacing figure (polls)', {
      consumers: 4,
      calls: requests.length,
      byEndpoint,
      refused429: requests.filter((request: any) => request.status === 429).length,
    })
    // 4 backfills and 4 polls each listed the orders at least once.
    expect(listings.length).toBeGreaterThanOrEqual(8)
    expect(requests.filter((request: any) => request.status === 429)).toEqual([])
  })
})
