/**
 * A Worker entry used only by the many-tenants bench (scripts/bench/tenants.ts): Kontor's real
 * Worker (src/index.ts) with its D1 binding wrapped by the counting binding
 * (test/import/counting-d1.ts) and its queue producers counted, so the bench can read what the one
 * database does per second and how many queue messages wait. `GET /__bench/counts` answers the
 * running totals; `POST /__bench/cron?at=` runs the Worker's scheduled handler for that minute.
 * Everything else is Kontor's own fetch, queue and scheduled handler, unchanged.
 * Bundled by wrangler like Kontor itself; never part of the deployed Worker.
 */
import type { Bindings } from '../../src/env'
import worker from '../../src/index'
import { countingD1, type D1Counts } from '../../test/import/counting-d1'

export { AccountPacer } from '../../src/pacing/account-pacer'

type Env = Bindings
type Origin = 'fetch' | 'ingest' | 'dispatch' | 'sync' | 'cron'
const ORIGINS: Origin[] = ['fetch', 'ingest', 'dispatch', 'sync', 'cron']
const QUEUES = { INGEST: 'ingest', DISPATCH: 'dispatch', SYNC: 'sync' } as const

const empty = (): D1Counts => ({ statements: 0, roundTrips: 0, batches: 0, rowsWritten: 0 })
const d1 = Object.fromEntries(ORIGINS.map((origin) => [origin, empty()])) as Record<Origin, D1Counts>
/** Messages sent, delivered for the first time and finished, and redelivered, per queue. */
const queued = Object.fromEntries(
  Object.values(QUEUES).map((name) => [name, { sent: 0, finished: 0, retried: 0 }])
) as Record<string, { sent: number; finished: number; retried: number }>

function countedQueue(queue: Queue, name: string): Queue {
  return {
    send: (body: unknown, options?: QueueSendOptions) => {
      queued[name].sent++
      return queue.send(body, options)
    },
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => {
      const list = [...messages]
      queued[name].sent += list.length
      return queue.sendBatch(list, options)
    },
  } as Queue
}

/** The Worker's env for one invocation: D1 counted towards `origin`, producers counted. */
async function counted<T>(env: Env, origin: Origin, run: (countedEnv: Env) => Promise<T>): Promise<T> {
  const { db, counts } = countingD1(env.DB)
  const countedEnv = {
    ...env,
    DB: db,
    INGEST: countedQueue(env.INGEST, QUEUES.INGEST),
    DISPATCH: countedQueue(env.DISPATCH, QUEUES.DISPATCH),
    SYNC: countedQueue(env.SYNC, QUEUES.SYNC),
  } as Env
  try {
    return await run(countedEnv)
  } finally {
    for (const key of Object.keys(counts) as (keyof D1Counts)[]) d1[origin][key] += counts[key]
  }
}

function settling(ctx: ExecutionContext) {
  const pending: Promise<unknown>[] = []
  const wrapped = {
    waitUntil: (promise: Promise<unknown>) => {
      pending.push(promise)
      ctx.waitUntil(promise)
    },
    passThroughOnException: () => ctx.passThroughOnException(),
    props: (ctx as { props?: unknown }).props,
  } as unknown as ExecutionContext
  return { ctx: wrapped, settle: () => Promise.allSettled(pending) }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const url = new URL(request.url)
    if (url.pathname === '/__bench/counts') return Response.json({ d1, queued, at: Date.now() })
    if (url.pathname === '/__bench/cron') {
      const at = Date.parse(url.searchParams.get('at') ?? '') || Date.now()
      const { ctx: cronCtx, settle } = settling(ctx)
      await counted(env, 'cron', async (cronEnv) => {
        await worker.scheduled({ scheduledTime: at, cron: '* * * * *', noRetry: () => {} }, cronEnv, cronCtx)
        await settle()
      })
      return Response.json({ ok: true })
    }
    const { ctx: requestCtx, settle } = settling(ctx)
    return counted(env, 'fetch', async (fetchEnv) => {
      const response = await worker.fetch(request, fetchEnv, requestCtx)
      await settle()
      return response
    })
  },
  async queue(batch: MessageBatch, env: Env) {
    const name = batch.queue.replace(/^kontor-/, '').replace(/-dlq$/, '') as 'ingest' | 'dispatch' | 'sync'
    const firsts = batch.messages.filter((message) => message.attempts <= 1).length
    queued[name].retried += batch.messages.length - firsts
    try {
      await counted(env, name, (queueEnv) => worker.queue(batch, queueEnv))
    } finally {
      if (!batch.queue.endsWith('-dlq')) queued[name].finished += firsts
    }
  },
} satisfies ExportedHandler<Env>
