/**
 * One order's whole life, counted (SPEC §7): the bench-only lifecycle Worker
 * (scripts/bench/lifecycle-worker.ts) runs Kontor's real fetch and queue handlers step by step with
 * a counting D1 binding; this side seeds the simulated shop, signs the webhooks and adds up.
 * Counts are exact (statements, round trips, D1's rows_written, queue messages); the bytes per
 * order are the growth of the D1 file (D1's `size_after`) over many lives, divided by them.
 */
import { routeOutbound } from '../../test/simulators/router'
import { shopifyOrderPayload, signShopifyWebhook } from '../../test/simulators/shopify'
import { type BenchRuntime, workerUrl } from './miniflare'

export type StepCounts = {
  statements: number
  roundTrips: number
  batches: number
  rowsWritten: number
  messages: number
}
type Life = { orderId: string; steps: Record<string, StepCounts>; sql: Record<string, string[]>; bodyBytes: number }

export const LIFECYCLE_STEPS = [
  'intake',
  'import',
  'handover',
  'handed_over_write_back',
  'report_intake',
  'report',
  'write_back',
  'hub_delivery',
]

export type LifecycleResult = {
  orders: number
  /**
   * The counts of the second life (the first reads what the isolate has not cached yet); every
   * life made the same statements and round trips unless `varied` names the step. Rows written
   * differ for the first (its customer and products are new; later orders reuse them).
   */
  steps: Record<string, StepCounts>
  /** the statements of each step of that life, shortened */
  sql: Record<string, string[]>
  /** per step, the fewest and most statements over all lives */
  range: Record<string, [number, number]>
  total: StepCounts
  varied: string[]
  bytesPerOrder: number
  /** of which raw bodies: the inbox's deliveries and the hub webhook bodies (their text, not pages) */
  inboxBodyBytesPerOrder: number
  hubBodyBytesPerOrder: number
  webhookBodyBytes: number
}

async function call(runtime: BenchRuntime, pathname: string, body?: unknown) {
  const response = await fetch(runtime.url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...workerUrl('lifecycle', pathname), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`lifecycle ${pathname}: ${response.status} ${text}`)
  return JSON.parse(text)
}

async function simulator(url: string, body: unknown) {
  const response = await routeOutbound(new Request(url, { method: 'POST', body: JSON.stringify(body) }))
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
}

const sum = (lists: StepCounts[]): StepCounts =>
  lists.reduce(
    (total, counts) => ({
      statements: total.statements + counts.statements,
      roundTrips: total.roundTrips + counts.roundTrips,
      batches: total.batches + counts.batches,
      rowsWritten: total.rowsWritten + counts.rowsWritten,
      messages: total.messages + counts.messages,
    }),
    { statements: 0, roundTrips: 0, batches: 0, rowsWritten: 0, messages: 0 }
  )

export async function benchLifecycle(runtime: BenchRuntime, orders: number): Promise<LifecycleResult> {
  const shopDomain = 'bench-lifecycle.myshopify.com'
  const secret = 'bench-lifecycle-secret'
  const accessToken = 'shpat_bench'
  const wemaloHost = 'bench-lifecycle.wemalo.test'
  await simulator(`https://${shopDomain}/_sim/shop`, { accessToken, webhookSecret: secret })
  const { connectionId } = await call(runtime, '/setup', { shopDomain, accessToken, secret, wemaloHost })
  const ids = Array.from({ length: orders }, (_, index) => 7_700_000 + index)
  // The orders exist in the shop: the write-back reads their fulfilment orders there.
  await simulator(`https://${shopDomain}/_sim/orders`, { orders: ids.map((id) => ({ id, currency: 'EUR' })) })

  type Size = { bytes: number; inboxBodyBytes: number; hubBodyBytes: number }
  const before: Size = await call(runtime, '/size')
  const lives: Life[] = []
  for (const id of ids) {
    const body = JSON.stringify(shopifyOrderPayload({ id, currency: 'EUR' }))
    const headers = {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': shopDomain,
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': crypto.randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
      'x-shopify-hmac-sha256': await signShopifyWebhook(secret, body),
    }
    lives.push(
      await call(runtime, '/life', { connectionId, externalId: String(id), wemaloHost, webhook: { headers, body } })
    )
  }
  const after: Size = await call(runtime, '/size')

  // The second life is the typical one: the first may read what the isolate has not cached yet.
  const typical = lives[Math.min(1, lives.length - 1)]
  const varied = LIFECYCLE_STEPS.filter((name) =>
    lives.some(
      (life) =>
        life.steps[name].statements !== typical.steps[name].statements ||
        life.steps[name].roundTrips !== typical.steps[name].roundTrips
    )
  )
  return {
    orders,
    steps: typical.steps,
    sql: typical.sql,
    range: Object.fromEntries(
      LIFECYCLE_STEPS.map((name) => {
        const counts = lives.map((life) => life.steps[name].statements)
        return [name, [Math.min(...counts), Math.max(...counts)]]
      })
    ),
    total: sum(LIFECYCLE_STEPS.map((name) => typical.steps[name])),
    varied,
    bytesPerOrder: Math.round((after.bytes - before.bytes) / orders),
    inboxBodyBytesPerOrder: Math.round((after.inboxBodyBytes - before.inboxBodyBytes) / orders),
    hubBodyBytesPerOrder: Math.round((after.hubBodyBytes - before.hubBodyBytes) / orders),
    webhookBodyBytes: typical.bodyBytes,
  }
}
