/**
 * The minute cron's robustness (issue 16): a failed step does not skip the others (finding 10), the
 * poll starter reads only due connections and starts a bounded number per tick (finding 10), and
 * deliveries for a deleted connection are closed with a reason instead of starving the inbox
 * sweep (finding 9). The cron runs against the real D1 with recording queues in place of the real
 * ones, so each test sees exactly what the cron sent.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { encryptJson, keyringOf } from '../../src/core/crypto'
import { CronStepsFailed, runCron } from '../../src/cron'
import { handleIngestMessage } from '../../src/queue/ingest'
import type { DispatchMessage, IngestMessage } from '../../src/queue/messages'
import { uniqueName } from '../helpers'

type Sent = { body: any }[]

function recordingQueue(sent: Sent, options: { fails?: boolean } = {}) {
  const push = async (body: unknown) => {
    if (options.fails) throw new Error('queue send failed')
    sent.push({ body })
  }
  return {
    send: push,
    sendBatch: async (messages: { body: unknown }[]) => {
      for (const message of messages) await push(message.body)
    },
  } as unknown as Queue
}

async function tenant() {
  const id = uniqueName('ten')
  await env.DB.prepare("insert into tenants (id, name, currency, created_at) values (?, ?, 'EUR', ?)")
    .bind(id, id, new Date().toISOString())
    .run()
  return id
}

/** Inbox rows of a connection that no longer exists, received `minutesAgo` before `now`, one second apart. */
async function orphanDeliveries(count: number, now: Date, minutesAgo: number) {
  const connectionId = uniqueName('con_gone')
  const ids: string[] = []
  const statements = Array.from({ length: count }, (_, index) => {
    const id = `inb_${connectionId}_${String(index).padStart(3, '0')}`
    ids.push(id)
    const receivedAt = new Date(now.getTime() - minutesAgo * 60_000 + index * 1000).toISOString()
    return env.DB.prepare(
      "insert into inbox (id, connection_id, delivery_key, topic, body, received_at) values (?, ?, ?, 'orders/create', '{}', ?)"
    ).bind(id, connectionId, `key-${index}`, receivedAt)
  })
  await env.DB.batch(statements)
  return ids
}

const webhookIds = (sent: Sent) =>
  sent.filter((message) => message.body.type === 'webhook').map((message) => message.body.inboxId as string)

describe('finding 9: deliveries for a deleted connection', () => {
  it('finding 9: a delivery for a deleted connection is closed at once, with the reason in words', async () => {
    const now = new Date()
    const [id] = await orphanDeliveries(1, now, 0)
    await handleIngestMessage(env, { type: 'webhook', inboxId: id } satisfies IngestMessage)
    const row = await env.DB.prepare('select processed_at, final_reason from inbox where id = ?')
      .bind(id)
      .first<{ processed_at: string | null; final_reason: string | null }>()
    expect(row!.processed_at).not.toBeNull()
    expect(row!.final_reason).toMatch(/was deleted before this delivery was imported/)
  })

  it('finding 9: 100 orphans do not hide a lost delivery from the inbox sweep', async () => {
    // A far-off tick, so that only the rows of this test are lost ones older than all others.
    const now = new Date(Date.now() + 365 * 24 * 60 * 60_000)
    const orphans = await orphanDeliveries(100, now, 60)
    const [lost] = await orphanDeliveries(1, now, 30)

    const first: Sent = []
    await runCron({ ...env, INGEST: recordingQueue(first), DISPATCH: recordingQueue([]) }, now)
    expect(webhookIds(first).filter((id) => orphans.includes(id))).toHaveLength(100)
    for (const inboxId of webhookIds(first)) await handleIngestMessage(env, { type: 'webhook', inboxId })

    const second: Sent = []
    await runCron({ ...env, INGEST: recordingQueue(second), DISPATCH: recordingQueue([]) }, now)
    expect(webhookIds(second)).toContain(lost)
    expect(webhookIds(second).filter((id) => orphans.includes(id))).toEqual([])
  })
})

describe('finding 10: the cron', () => {
  it('finding 10: a failed step does not skip the later ones, and the tick fails naming it', async () => {
    const now = new Date(Date.now() + 2 * 365 * 24 * 60 * 60_000)
    await orphanDeliveries(1, now, 30)
    const tenantId = await tenant()
    const deliveryId = uniqueName('whd')
    await env.DB.prepare(
      "insert into webhook_deliveries (id, tenant_id, endpoint_id, event_key, type, order_id, state, attempts, created_at, updated_at) values (?, ?, 'whe_x', ?, 'order.imported', 'ord_x', 'pending', 0, ?, ?)"
    )
      .bind(deliveryId, tenantId, deliveryId, new Date(now.getTime() - 60 * 60_000).toISOString(), now.toISOString())
      .run()

    const dispatched: Sent = []
    const tick = runCron(
      { ...env, INGEST: recordingQueue([], { fails: true }), DISPATCH: recordingQueue(dispatched) },
      now
    )
    const failure = await tick.then(
      () => null,
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(CronStepsFailed)
    expect((failure as CronStepsFailed).steps).toContain('sweep inbox')
    // The hub delivery sweep runs after the inbox sweep, and still ran.
    expect(
      dispatched.filter((message) => (message.body as DispatchMessage).type === 'hub-delivery').map((m) => m.body)
    ).toContainEqual({ type: 'hub-delivery', deliveryId })
  })

  it('finding 10: the poll starter reads only due connections, at most 100 per tick, each started once', async () => {
    const now = new Date(Date.now() + 3 * 365 * 24 * 60 * 60_000)
    const tenantId = await tenant()
    const credentials = await encryptJson(keyringOf(env), { username: 'u', apiPassword: 'p', apiKey: 'k' })
    const ids = Array.from({ length: 150 }, (_, index) => `con_${tenantId}_${String(index).padStart(3, '0')}`)
    await env.DB.batch(
      ids.map((id) =>
        env.DB.prepare(
          "insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at) values (?, ?, 'billbee', ?, ?, ?, '[]', ?, ?)"
        ).bind(
          id,
          tenantId,
          id,
          credentials,
          JSON.stringify({ ordersTag: 'kontor' }),
          now.toISOString(),
          now.toISOString()
        )
      )
    )
    const started = async () => {
      const sent: Sent = []
      await runCron({ ...env, INGEST: recordingQueue(sent), DISPATCH: recordingQueue([]) }, now).catch(() => null)
      return sent
        .filter((message) => message.body.type === 'page' && ids.includes(message.body.connectionId))
        .map((message) => message.body.connectionId as string)
    }
    const first = await started()
    expect(first.length).toBeLessThanOrEqual(100)
    const second = await started()
    const third = await started()
    // Every connection was polled exactly once over the ticks, and none again before it is due.
    expect([...first, ...second, ...third].sort()).toEqual(ids)
    expect(third.filter((id) => first.includes(id) || second.includes(id))).toEqual([])
  })
})
