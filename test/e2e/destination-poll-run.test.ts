/** Issue 19, finding 3: a destination's report poll is a poll run, as a source's poll is. */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createConnection, createTenant, runCron, simulatorCall, uniqueName, waitFor } from '../helpers'

describe('destination polls', () => {
  it("the cron's poll of Wemalo's reports is recorded as a finished poll run", async () => {
    const host = `${uniqueName('w')}.wemalo.test`
    await simulatorCall(host, '/_sim/account', { token: 'wemalo-jwt-poll' })
    const tenant = await createTenant('EUR')
    const destination = await createConnection(tenant.token, {
      platform: 'wemalo',
      credentials: { token: 'wemalo-jwt-poll' },
      settings: { baseUrl: `https://${host}/v1`, webhookEmail: 'ops@example.com' },
    })
    await runCron(new Date(Date.now() + 10 * 60_000))
    const run = await waitFor(
      () =>
        env.DB.prepare(
          `select mode, status, finished_at from sync_jobs where connection_id = ? and status <> 'running'`
        )
          .bind(destination.id)
          .first<{ mode: string; status: string; finished_at: string | null }>(),
      { what: 'the poll run' }
    )
    expect(run).toMatchObject({ mode: 'poll', status: 'done' })
    expect(run.finished_at).toBeTruthy()
  })
})
