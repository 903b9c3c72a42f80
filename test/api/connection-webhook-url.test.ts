/** A connection's webhookUrl is there only for platforms that push webhooks (SPEC §3, §6). */
import { describe, expect, it } from 'vitest'
import { plentyConnection } from '../e2e/plenty-support'
import { api, createConnection, createTenant, simulatorCall, uniqueName, waitForJob } from '../helpers'

describe('connection webhookUrl', () => {
  it('is absent for a poll-only platform (plentymarkets) and in every later read', async () => {
    const tenant = await createTenant('EUR')
    const { connection } = await plentyConnection(tenant.token)
    expect(connection).not.toHaveProperty('webhookUrl')
    const read = (await (await api(`/api/v1/connections/${connection.id}`, { token: tenant.token })).json()) as object
    expect(read).not.toHaveProperty('webhookUrl')
    await waitForJob(connection.backfillJobId!)
  })

  it('is there for a platform that pushes (Cartum, with its key)', async () => {
    const host = `${uniqueName('shop')}.cartum.example`
    await simulatorCall(host, '/_sim/shop', { login: 'api', password: 'secret' })
    const tenant = await createTenant('UAH')
    const connection = await createConnection(tenant.token, {
      platform: 'cartum',
      credentials: { domain: host, login: 'api', password: 'secret' },
    })
    expect(connection.webhookUrl).toMatch(new RegExp(`/webhooks/cartum/${connection.id}\\?key=`))
    const read = (await (await api(`/api/v1/connections/${connection.id}`, { token: tenant.token })).json()) as any
    expect(read.webhookUrl).toMatch(new RegExp(`/webhooks/cartum/${connection.id}$`))
    await waitForJob(connection.backfillJobId!)
  })
})
