/**
 * ST1 at the connection: the webhook email Wemalo needs, stock_change registered and accepted,
 * outdated registrations made again by the cron, the schedule.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createConnection, createTenant, runCron, simulatorCall, uniqueName, waitFor } from '../helpers'
import { stockTenant, WEMALO_TOKEN } from './support'

type Hook = { event: string; payload: string; token: string }

/** A Wemalo connection that registered its hooks, and what the simulated Wemalo holds. */
async function registeredWarehouse() {
  const host = `${uniqueName('w')}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: WEMALO_TOKEN })
  const tenant = await createTenant('EUR')
  const connection = await createConnection(tenant.token, {
    platform: 'wemalo',
    credentials: { token: WEMALO_TOKEN },
    settings: { baseUrl: `https://${host}/v1`, webhookEmail: 'ops@example.com' },
  })
  const hooks = async () => (await simulatorCall(host, '/_sim/state')).hooks as Hook[]
  const registration = async () =>
    (await apiJson(`/api/v1/connections/${connection.id}`, { token: tenant.token })).webhookRegistration
  /** Registers a hook at Wemalo as a client would (`POST /webhook/:event`). */
  const registerAtWemalo = async (hook: Hook) => {
    const response = await fetch(`https://${host}/v1/webhook/${hook.event}`, {
      method: 'POST',
      headers: { authorization: `JWT ${WEMALO_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ payload: hook.payload, token: hook.token, email: 'ops@example.com' }),
    })
    expect(response.status).toBe(200)
  }
  return { host, tenant, connection, hooks, registration, registerAtWemalo }
}
/** The cron as it runs 20 minutes from now: every registration is then due for its check. */
const later = () => new Date(Date.now() + 20 * 60_000)

describe('Wemalo stock connection (ST1)', () => {
  it('ST1: hooks registered without the event in their URL (which Kontor now ignores) are registered again by the cron, with it', async () => {
    const warehouse = await registeredWarehouse()
    for (const hook of await warehouse.hooks()) {
      const url = new URL(hook.payload)
      url.searchParams.delete('event')
      await warehouse.registerAtWemalo({ ...hook, payload: url.href })
    }
    expect((await warehouse.hooks()).every((hook) => !hook.payload.includes('event='))).toBe(true)

    await runCron(later())
    const hooks = await warehouse.hooks()
    expect(hooks.map((hook) => [hook.event, new URL(hook.payload).searchParams.get('event')]).sort()).toEqual([
      ['status_update', 'status_update'],
      ['stock_change', 'stock_change'],
      ['trackingnumber_added', 'trackingnumber_added'],
    ])
    expect(await warehouse.registration()).toMatchObject({ state: 'registered', reregistered: 1 })
  })

  it('ST1: a registration from before stock_change existed is completed by the cron', async () => {
    const warehouse = await registeredWarehouse()
    // As Kontor registered Wemalo before ST1: two hooks, and the registration names only those.
    const response = await fetch(`https://${warehouse.host}/v1/webhook/stock_change`, {
      method: 'DELETE',
      headers: { authorization: `JWT ${WEMALO_TOKEN}` },
    })
    expect(response.status).toBe(200)
    await env.DB.prepare(
      `update connections set webhook_registration = json_set(webhook_registration, '$.ids', json(?)) where id = ?`
    )
      .bind(JSON.stringify(['status_update', 'trackingnumber_added']), warehouse.connection.id)
      .run()

    await runCron(later())
    expect((await warehouse.hooks()).map((hook) => hook.event).sort()).toEqual([
      'status_update',
      'stock_change',
      'trackingnumber_added',
    ])
    expect(await warehouse.registration()).toMatchObject({ state: 'registered', reregistered: 1 })
    // Complete now: the next check changes nothing.
    await runCron(new Date(Date.now() + 40 * 60_000))
    expect((await warehouse.registration()).reregistered).toBe(1)
  })

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
