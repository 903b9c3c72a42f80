/** ST1 at the connection: the webhook email Wemalo needs, stock_change registered and accepted, the schedule. */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, createTenant, runCron, simulatorCall, uniqueName, waitFor } from '../helpers'
import { stockTenant, WEMALO_TOKEN } from './support'

describe('Wemalo stock connection (ST1)', () => {
  it('ST1: a Wemalo connection that registers webhooks needs webhookEmail (400 names the field)', async () => {
    const host = `${uniqueName('w')}.wemalo.test`
    await simulatorCall(host, '/_sim/account', { token: WEMALO_TOKEN })
    const tenant = await createTenant('EUR')
    const response = await api('/api/v1/connections', {
      token: tenant.token,
      body: {
        platform: 'wemalo',
        name: 'w',
        credentials: { token: WEMALO_TOKEN },
        settings: { baseUrl: `https://${host}/v1` },
      },
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).error.message).toContain('settings.webhookEmail')
    const created = await api('/api/v1/connections', {
      token: tenant.token,
      body: {
        platform: 'wemalo',
        name: 'w',
        credentials: { token: WEMALO_TOKEN },
        settings: { baseUrl: `https://${host}/v1`, webhookEmail: 'ops@example.com' },
      },
    })
    expect(created.status).toBe(201)
    const state = await simulatorCall(host, '/_sim/state')
    expect(state.hooks.map((hook: any) => [hook.event, hook.email]).sort()).toEqual([
      ['status_update', 'ops@example.com'],
      ['stock_change', 'ops@example.com'],
      ['trackingnumber_added', 'ops@example.com'],
    ])
    expect(state.violations).toEqual([])
  })

  it('ST1: the cron starts a run every stockMinutes for a warehouse with stock channels, and a full run once a night', async () => {
    const loop = await stockTenant([{ sku: 'KM-1', quantity: 3 }])
    const jobs = async () =>
      (
        await env.DB.prepare(
          `select mode from sync_jobs where connection_id = ? and mode like 'stock%' order by started_at`
        )
          .bind(loop.wemalo.id)
          .all<{ mode: string }>()
      ).results.map((job) => job.mode)
    const day = new Date()
    day.setUTCHours(1, 0, 0, 0)
    await runCron(day)
    await waitFor(async () => (await jobs()).length === 1, { what: 'first run' })
    await runCron(new Date(day.getTime() + 5 * 60_000)) // within stockMinutes (15): nothing
    await runCron(new Date(day.getTime() + 16 * 60_000))
    await waitFor(async () => (await jobs()).length === 2, { what: 'second run' })
    await runCron(new Date(day.getTime() + 60 * 60_000 + 1000)) // 02:00: the nightly run
    await waitFor(async () => (await jobs()).length === 3, { what: 'nightly run' })
    expect(await jobs()).toEqual(['stock', 'stock', 'stock-full'])
    const availableStock = (await simulatorCall(loop.wemaloHost, '/_sim/requests')).requests.filter((entry: any) =>
      entry.path.startsWith('/v1/product/availableStock')
    )
    expect(availableStock.at(-1).query.fromDate).toBe('0101200000')
  })
})
