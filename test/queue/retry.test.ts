import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { backoffSeconds } from '../../src/queue/retry'
import { shopifySetup, simulator } from '../e2e/shopify-support'
import { waitForJob } from '../helpers'

async function consume(messages: { id: string; attempts: number; body: unknown }[]) {
  const batch = createMessageBatch(
    'kontor-ingest',
    messages.map((message) => ({ ...message, timestamp: new Date() }))
  )
  // getQueueResult does not report retry delays, so they are read off the retry calls.
  const delays: Record<string, number | undefined> = {}
  const wrapped = {
    queue: batch.queue,
    messages: batch.messages.map((message) => ({
      id: message.id,
      timestamp: message.timestamp,
      attempts: message.attempts,
      body: message.body,
      ack: () => message.ack(),
      retry: (options?: QueueRetryOptions) => {
        delays[message.id] = options?.delaySeconds
        message.retry(options)
      },
    })),
    ackAll: () => batch.ackAll(),
    retryAll: (options?: QueueRetryOptions) => batch.retryAll(options),
  } as unknown as MessageBatch
  const context = createExecutionContext()
  await (worker.queue as ExportedHandlerQueueHandler<Env>)(wrapped, { ...env, RETRY_BASE_SECONDS: '5' } as Env, context)
  return { ...(await getQueueResult(batch, context)), delays }
}

describe('queue retries', () => {
  it("backs off exponentially, and a platform's Retry-After wins", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffSeconds(attempt, 5))).toEqual([5, 10, 20, 40, 80])
    expect(backoffSeconds(1, 5, 30)).toBe(30)
    expect(backoffSeconds(30, 5)).toBe(12 * 60 * 60)
  })

  it('retries a platform 500 with a growing delay, then dead-letters it past its attempts', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    await waitForJob(connection.backfillJobId!)
    await simulator(shop.shopDomain, '/_sim/faults', { status: 500, count: 100 })
    const body = {
      type: 'page',
      connectionId: connection.id,
      jobId: 'job_retry_test',
      mode: 'poll',
      pageToken: null,
      since: null,
      highWater: null,
      page: 1,
    }

    const early = await consume([
      { id: 'a2', attempts: 2, body },
      { id: 'a3', attempts: 3, body },
    ])
    expect(early.retryMessages.map((message) => message.msgId).sort()).toEqual(['a2', 'a3'])
    expect(early.delays).toEqual({ a2: 10, a3: 20 })
    const last = await consume([{ id: 'a6', attempts: 6, body }])
    expect(last.retryMessages).toEqual([])
    expect(last.explicitAcks).toEqual(['a6'])
    const letter = await env.DB.prepare("select * from dead_letters where body like '%job_retry_test%'").first<any>()
    expect(letter).toMatchObject({ queue: 'ingest', attempts: 6, tenant_id: tenant.id })
    await simulator(shop.shopDomain, '/_sim/faults', { status: 500, count: 0 })
  })

  it('a final error is dead-lettered at once, with its reason', async () => {
    const result = await consume([{ id: 'w1', attempts: 1, body: { type: 'webhook', inboxId: 'inb_missing' } }])
    expect(result.explicitAcks).toEqual(['w1'])
    const letter = await env.DB.prepare("select * from dead_letters where body like '%inb_missing%'").first<any>()
    expect(letter).toMatchObject({ queue: 'ingest', attempts: 1 })
    expect(letter.error).toContain('not found')
  })
})
