/**
 * Pausing a connection (issue 19): the cron starts no poll for it and a poll by hand is refused
 * until it is resumed; pausing twice changes nothing the second time; the audit log has both.
 * The cron runs against the real D1 with a recording INGEST queue, as test/queue/cron.test.ts does.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { runCron } from '../../src/cron'
import { api, apiJson, waitForJob } from '../helpers'
import { shopifySetup } from '../e2e/shopify-support'

function recordingQueue(sent: unknown[]) {
  return {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((message) => message.body)),
  } as unknown as Queue
}

/** The poll messages one cron tick at `now` sends for `connectionId`. */
async function pollsStarted(connectionId: string, now: Date) {
  const sent: any[] = []
  await runCron({ ...env, INGEST: recordingQueue(sent), DISPATCH: recordingQueue([]) }, now)
  return sent.filter((body) => body.connectionId === connectionId && body.mode === 'poll')
}

describe('pausing a connection', () => {
  it('stops its polls until it is resumed; a second pause is refused and changes nothing', async () => {
    const { tenant, connection } = await shopifySetup({ settings: { registerWebhooks: false } })
    await waitForJob(connection.backfillJobId!)
    const post = (path: string, body?: unknown) =>
      api(`/api/v1/connections/${connection.id}${path}`, {
        method: 'POST',
        token: tenant.token,
        ...(body ? { body } : {}),
      })

    const paused = await post('/pause')
    expect(paused.status).toBe(200)
    const pausedAt = (await paused.json<any>()).pausedAt
    expect(pausedAt).toEqual(expect.any(String))
    const again = await post('/pause')
    expect(again.status).toBe(409)
    expect((await again.json<any>()).error.code).toBe('already_paused')
    expect((await apiJson(`/api/v1/connections/${connection.id}`, { token: tenant.token })).pausedAt).toBe(pausedAt)

    const byHand = await post('/sync', { mode: 'poll' })
    expect(byHand.status).toBe(409)
    expect((await byHand.json<any>()).error.code).toBe('connection_paused')
    // Far enough ahead that the connection is due whatever its interval.
    const later = new Date(Date.now() + 24 * 60 * 60_000)
    expect(await pollsStarted(connection.id, later)).toEqual([])

    const resumed = await post('/resume')
    expect(resumed.status).toBe(200)
    expect((await resumed.json<any>()).pausedAt).toBeNull()
    expect((await post('/resume')).status).toBe(409)
    expect(await pollsStarted(connection.id, later)).toHaveLength(1)

    const audit = await apiJson('/api/v1/audit-log', { token: tenant.token })
    const actions = audit.items.map((entry: any) => entry.action)
    expect(actions).toEqual(expect.arrayContaining(['connection.paused', 'connection.resumed']))
  })
})
