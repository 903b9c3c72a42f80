/**
 * Intake: signed Shopify webhooks (verify, dedupe, inbox row, queue message) vs a bare Hono 202,
 * both served by the same workerd; closed-loop load from this Node process over loopback, then
 * one request at a time for the median and p99 of a single request.
 */
import { shopifyOrderPayload, signShopifyWebhook } from '../../test/simulators/shopify'
import { shopifyConnection } from './backfill'
import { type BenchRuntime, workerUrl } from './miniflare'

/** A POST to one of the workers; resolves with the status once the body is read. */
async function post(url: URL, route: Record<string, string>, headers: Record<string, string>, body: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...route, 'content-type': 'application/json', ...headers },
    body,
  })
  await response.arrayBuffer()
  return response.status
}

/** Closed-loop load: `concurrency` senders send requests back to back for `durationMs`. */
async function load(send: (index: number) => Promise<number>, durationMs: number, concurrency: number) {
  let done = 0
  let errors = 0
  let next = 0
  const statuses = new Map<number, number>()
  const started = performance.now()
  const until = started + durationMs
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const status = await send(next++)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status >= 400) errors++
        done++
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  return { requests: done, errors, perSecond: Math.round(done / seconds), statuses: Object.fromEntries(statuses) }
}

async function latency(send: (index: number) => Promise<number>, count: number, offset: number) {
  const times: number[] = []
  for (let index = 0; index < count; index++) {
    const started = performance.now()
    const status = await send(offset + index)
    if (status >= 400) throw new Error(`latency run: status ${status}`)
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(count / 2)], p99: times[Math.min(count - 1, Math.floor(count * 0.99))] }
}

export type IntakeResult = Awaited<ReturnType<typeof benchIntake>>

export async function benchIntake(runtime: BenchRuntime, options: { durationMs: number; concurrency: number }) {
  const shopDomain = 'bench-intake.myshopify.com'
  const { connection, secret } = await shopifyConnection(runtime.url, shopDomain)
  const body = JSON.stringify(shopifyOrderPayload({ id: 4242, currency: 'USD' }))
  const signature = await signShopifyWebhook(secret, body)
  const webhookRoute = workerUrl('kontor', `/webhooks/shopify/${connection.id}`)
  const webhook = (index: number) =>
    post(
      runtime.url,
      webhookRoute,
      {
        'x-shopify-hmac-sha256': signature,
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-topic': 'orders/updated',
        'x-shopify-webhook-id': `bench-${index}`,
      },
      body
    )
  const bareRoute = workerUrl('bare', '/')
  const bare = () => post(runtime.url, bareRoute, {}, body)
  // Both must answer as expected before anything is timed.
  for (const [name, send, expected] of [
    ['bare', bare, 202],
    ['intake', webhook, 202],
  ] as const) {
    const status = await send(0)
    if (status !== expected) throw new Error(`${name} answered ${status}, not ${expected}`)
  }

  const { durationMs, concurrency } = options
  await load(bare, Math.min(2000, durationMs), concurrency) // warm-up
  await load(webhook, Math.min(2000, durationMs), concurrency)
  const bareLoad = await load(bare, durationMs, concurrency)
  const intakeLoad = await load(webhook, durationMs, concurrency)
  const count = durationMs >= 10_000 ? 1000 : 300
  const bareLatency = await latency(bare, count, 0)
  const intakeLatency = await latency(webhook, count, 10_000_000)
  return {
    bareLoad,
    intakeLoad,
    bareLatency,
    intakeLatency,
    ratio: intakeLoad.perSecond / bareLoad.perSecond,
    bodyBytes: body.length,
    latencySamples: count,
  }
}
