/**
 * A Worker entry used only by `npm run bench` (scripts/bench/lifecycle.ts): one order's whole life
 * through Kontor's real Worker (src/index.ts, its fetch and queue handlers), each step with a
 * counting D1 binding (test/import/counting-d1.ts) and queue producers that hold the messages, so
 * the bench hands every message on itself and knows which step caused which statement:
 *   intake of a signed Shopify webhook → its import (INGEST) → the hand-over to Wemalo (DISPATCH)
 *   and the write-back of its `handed_over` event (SYNC) → Wemalo's SHIPPED status_update (intake + INGEST) → the write-back to Shopify, a fulfilment
 *   with tracking (SYNC) → one hub webhook delivery (DISPATCH).
 * Outbound requests go to the simulators in the bench's Node process (Miniflare's outboundService).
 * Bundled by wrangler like Kontor itself; never part of the deployed Worker.
 */
import type { Bindings } from '../../src/env'
import worker from '../../src/index'
import { countingD1, type D1Counts } from '../../test/import/counting-d1'

export { AccountPacer } from '../../src/pacing/account-pacer'

type Env = Bindings
type Held = { queue: string; body: unknown }

export type StepCounts = D1Counts & { messages: number }
export type Life = {
  orderId: string
  steps: Record<string, StepCounts>
  /** the SQL of each step's statements, shortened (what the bench's report lists) */
  sql: Record<string, string[]>
  bodyBytes: number
}

const QUEUE_OF = { INGEST: 'kontor-ingest', DISPATCH: 'kontor-dispatch', SYNC: 'kontor-sync' } as const

/** Queue producers that keep what is sent, for the bench to deliver to the next step. */
function holdingQueues(held: Held[]) {
  const producer = (queue: string) =>
    ({
      send: async (body: unknown) => void held.push({ queue, body }),
      sendBatch: async (messages: Iterable<MessageSendRequest>) => {
        for (const message of messages) held.push({ queue, body: message.body })
      },
    }) as unknown as Queue
  return {
    INGEST: producer(QUEUE_OF.INGEST),
    DISPATCH: producer(QUEUE_OF.DISPATCH),
    SYNC: producer(QUEUE_OF.SYNC),
  }
}

function executionContext() {
  const pending: Promise<unknown>[] = []
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext
  return { ctx, settle: async () => void (await Promise.allSettled(pending.splice(0))) }
}

const shorten = (query: string) => query.replace(/\s+/g, ' ').slice(0, 90)

/** One step: the Worker with a counting D1 and holding queues; what it sent is returned. */
async function step(env: Env, run: (stepEnv: Env, ctx: ExecutionContext) => Promise<void>) {
  const sql: string[] = []
  const { db, counts } = countingD1(env.DB, sql)
  const held: Held[] = []
  const { ctx, settle } = executionContext()
  await run({ ...env, DB: db, ...holdingQueues(held) } as Env, ctx)
  await settle()
  return { counts: { ...counts, messages: held.length }, held, sql: sql.map(shorten) }
}

/** Delivers one held message to the Worker's queue handler, as the queue would; a retry is a failure. */
async function consume(env: Env, message: Held) {
  let outcome = 'unacknowledged'
  const batch = {
    queue: message.queue,
    messages: [
      {
        id: crypto.randomUUID(),
        timestamp: new Date(),
        body: message.body,
        attempts: 1,
        ack: () => void (outcome = 'acked'),
        retry: () => void (outcome = 'retried'),
      },
    ],
    ackAll: () => void (outcome = 'acked'),
    retryAll: () => void (outcome = 'retried'),
  } as unknown as MessageBatch
  await worker.queue(batch, env)
  if (outcome !== 'acked') throw new Error(`${message.queue} ${JSON.stringify(message.body)}: ${outcome}`)
}

async function post(env: Env, ctx: ExecutionContext, url: string, headers: Record<string, string>, body: string) {
  const response = await worker.fetch(new Request(url, { method: 'POST', headers, body }), env, ctx)
  if (response.status !== 202) throw new Error(`${url}: ${response.status} ${await response.text()}`)
}

async function simulator(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<any>
}

const only = (held: Held[], queue: string, type: string) => {
  const found = held.filter((message) => message.queue === queue && (message.body as { type: string }).type === type)
  if (found.length !== 1) throw new Error(`expected one ${type} on ${queue}, got ${JSON.stringify(held)}`)
  return found[0]
}

/** The life of one order; `webhook` is a signed Shopify delivery the bench built. */
async function life(
  env: Env,
  input: {
    connectionId: string
    externalId: string
    wemaloHost: string
    webhook: { headers: Record<string, string>; body: string }
  }
): Promise<Life> {
  const steps: Record<string, StepCounts> = {}
  const sql: Record<string, string[]> = {}

  const intake = await step(env, (stepEnv, ctx) =>
    post(
      stepEnv,
      ctx,
      `https://kontor.bench/webhooks/shopify/${input.connectionId}`,
      input.webhook.headers,
      input.webhook.body
    )
  )
  steps.intake = intake.counts
  sql.intake = intake.sql
  const imported = await step(env, (stepEnv) => consume(stepEnv, only(intake.held, QUEUE_OF.INGEST, 'delivery')))
  steps.import = imported.counts
  sql.import = imported.sql

  const handover = await step(env, (stepEnv) => consume(stepEnv, only(imported.held, QUEUE_OF.DISPATCH, 'handover')))
  steps.handover = handover.counts
  sql.handover = handover.sql
  // The hand-over records a `handed_over` event, and every event goes to the source's write-back.
  const handedOver = await step(env, (stepEnv) => consume(stepEnv, only(handover.held, QUEUE_OF.SYNC, 'write-back')))
  steps.handed_over_write_back = handedOver.counts
  sql.handed_over_write_back = handedOver.sql

  const order = await env.DB.prepare('select id from orders where connection_id = ? and external_id = ?')
    .bind(input.connectionId, input.externalId)
    .first<{ id: string }>()
  if (!order) throw new Error(`order ${input.externalId} was not imported`)
  // Wemalo ships the goods order and calls back; the callback is Wemalo's own (signed) request.
  const wemalo = `https://${input.wemaloHost}`
  await simulator(`${wemalo}/_sim/goodsOrders/${order.id}/ship`, {
    trackingNumber: `0034${input.externalId}`,
    carrier: 'DHL',
  })
  const { deliveries } = await simulator(`${wemalo}/_sim/callbacks/send`, {
    event: 'status_update',
    externalId: order.id,
    deliver: false,
  })
  if (deliveries.length !== 1) throw new Error(`expected one Wemalo callback, got ${deliveries.length}`)
  const callback = deliveries[0] as { url: string; headers: Record<string, string>; body: string }
  const callbackUrl = new URL(callback.url)
  const reportIntake = await step(env, (stepEnv, ctx) =>
    post(
      stepEnv,
      ctx,
      `https://kontor.bench${callbackUrl.pathname}${callbackUrl.search}`,
      callback.headers,
      callback.body
    )
  )
  steps.report_intake = reportIntake.counts
  sql.report_intake = reportIntake.sql
  const report = await step(env, (stepEnv) => consume(stepEnv, only(reportIntake.held, QUEUE_OF.INGEST, 'delivery')))
  steps.report = report.counts
  sql.report = report.sql

  const writeBack = await step(env, (stepEnv) => consume(stepEnv, only(report.held, QUEUE_OF.SYNC, 'write-back')))
  steps.write_back = writeBack.counts
  sql.write_back = writeBack.sql
  const hubDelivery = await step(env, (stepEnv) =>
    consume(stepEnv, only(report.held, QUEUE_OF.DISPATCH, 'hub-delivery'))
  )
  steps.hub_delivery = hubDelivery.counts
  sql.hub_delivery = hubDelivery.sql
  const left = [...handedOver.held, ...writeBack.held, ...hubDelivery.held]
  if (left.length) throw new Error(`unexpected follow-up messages: ${JSON.stringify(left)}`)
  return { orderId: order.id, steps, sql, bodyBytes: input.webhook.body.length }
}

/** Setup through the real API (not counted): tenant, Wemalo destination, routed Shopify source, hub endpoint. */
async function setup(env: Env, input: { shopDomain: string; accessToken: string; secret: string; wemaloHost: string }) {
  const { ctx, settle } = executionContext()
  const held: Held[] = []
  const setupEnv = { ...env, ...holdingQueues(held) } as Env
  const call = async (path: string, token: string, body: unknown) => {
    const response = await worker.fetch(
      new Request(`https://kontor.bench${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      setupEnv,
      ctx
    )
    const text = await response.text()
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`)
    return JSON.parse(text)
  }
  await simulator(`https://${input.wemaloHost}/_sim/account`, { token: 'bench-wemalo-token' })
  const tenant = await call('/api/v1/tenants', env.ADMIN_TOKEN, { name: input.shopDomain, currency: 'EUR' })
  const destination = await call('/api/v1/connections', tenant.token, {
    platform: 'wemalo',
    name: 'warehouse',
    credentials: { token: 'bench-wemalo-token' },
    settings: { baseUrl: `https://${input.wemaloHost}/v1`, webhookEmail: 'ops@example.com' },
  })
  const source = await call('/api/v1/connections', tenant.token, {
    platform: 'shopify',
    name: 'shop',
    credentials: { shopDomain: input.shopDomain, accessToken: input.accessToken, webhookSecret: input.secret },
    settings: { fulfilmentSync: true },
    routes: [destination.id],
  })
  // One hub delivery in the life: the endpoint takes `order.shipped` only.
  await call('/api/v1/webhook-endpoints', tenant.token, {
    url: `https://${input.shopDomain.split('.')[0]}.hooks.test/kontor`,
    events: ['order.shipped'],
  })
  await settle()
  // The connection's backfill job (held, not run) is not part of an order's life.
  return { tenantId: tenant.id, connectionId: source.id }
}

/**
 * The database's size in bytes, as D1 reports it after a statement, and the raw bodies in it
 * (inbox deliveries and hub webhook bodies), which retention prunes and an archive could move.
 */
async function databaseBytes(env: Env) {
  const result = await env.DB.prepare('select 1').run()
  const bodies = await env.DB.prepare(
    `select (select coalesce(sum(length(cast(body as blob))), 0) from inbox) as inbox,
      (select coalesce(sum(length(cast(body as blob))), 0) from webhook_deliveries) as hub`
  ).first<{ inbox: number; hub: number }>()
  return {
    bytes: (result.meta as { size_after?: number }).size_after ?? NaN,
    inboxBodyBytes: bodies?.inbox ?? 0,
    hubBodyBytes: bodies?.hub ?? 0,
  }
}

export default {
  async fetch(request: Request, env: Env) {
    try {
      const url = new URL(request.url)
      const input = request.method === 'POST' ? await request.json<any>() : {}
      if (url.pathname === '/setup') return Response.json(await setup(env, input))
      if (url.pathname === '/life') return Response.json(await life(env, input))
      if (url.pathname === '/size') return Response.json(await databaseBytes(env))
      return new Response('not found', { status: 404 })
    } catch (error) {
      return new Response(error instanceof Error ? `${error.message}\n${error.stack}` : String(error), { status: 500 })
    }
  },
}
