/** Issue 19, finding 1: a signed webhook whose body is not JSON is a final failure, once. */
import { describe, expect, it } from 'vitest'
import { api, apiJson, waitFor } from '../helpers'
import { deliverWebhook, shopifySetup } from './shopify-support'

describe('a signed webhook whose body is not JSON', () => {
  it('fails at once: no retries, an import-log line `failed` in words, one dead letter naming connection and delivery; a replay reopens it', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const webhookId = crypto.randomUUID()
    const response = await deliverWebhook(connection.id, shop.shopDomain, '{not json', { webhookId })
    expect(response.status).toBe(202)

    const failed = await waitFor(
      async () => {
        const log = await apiJson(`/api/v1/import-log?connectionId=${connection.id}&result=failed`, {
          token: tenant.token,
        })
        return log.items.length ? log.items : null
      },
      { what: 'the failed import-log line' }
    )
    expect(failed).toHaveLength(1)
    expect(failed[0].reason).toContain(webhookId)
    expect(failed[0].reason).toContain("the orders/create delivery's body is not JSON")
    expect(failed[0].reason).not.toMatch(/^SyntaxError/)

    const letters = async () =>
      (await apiJson('/api/v1/dead-letters?limit=200', { token: tenant.token })).items as any[]
    const [letter] = await waitFor(async () => ((await letters()).length ? letters() : null), {
      what: 'the dead letter',
    })
    expect(letter.attempts).toBe(1)
    expect(letter.error).toContain('not JSON')
    expect(letter.body).toMatchObject({ connectionId: connection.id, deliveryKey: webhookId })

    const replay = await api(`/api/v1/dead-letters/${letter.id}/replay`, { method: 'POST', token: tenant.token })
    expect(replay.status).toBeLessThan(300)
    const reopened = await waitFor(
      async () => {
        const all = await letters()
        return all.length === 1 && all[0].replayedAt === null && all[0].attempts === 2 ? all : null
      },
      { what: 'the dead letter reopened by the failed replay' }
    )
    expect(reopened[0].id).toBe(letter.id)
    expect(await letters()).toHaveLength(1)
  })
})
