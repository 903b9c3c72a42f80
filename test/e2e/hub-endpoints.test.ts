/**
 * Hub endpoints (HW1, issue 18) end to end in workerd: every attempt of a delivery is listed
 * (a 500 then a 200 shows both), a disabled endpoint's deliveries wait and go out in order once it
 * is enabled again (except those older than the retention), a rotated secret signs beside the
 * old one for 24 hours, and an endpoint failing for 5 days is disabled with the reason shown.
 */
import { env } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { api, apiJson, simulatorCall, uniqueName, waitFor } from '../helpers'
import { deliverWebhook, orderJson, shopifySetup } from './shopify-support'

type Endpoint = { id: string; secret: string }

async function setup(answers: { status: number; body?: string }[] = []) {
  const { shop, tenant, connection } = await shopifySetup()
  expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: Date.now() }))).status).toBe(202)
  const order = await waitFor(
    async () => (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items[0],
    { what: 'order' }
  )
  // Registered after the import, so only this test's comments reach it (not the import's DL1 comment).
  const host = `${uniqueName('hub')}.hooks.test`
  if (answers.length) await simulatorCall(host, '/_sim/answers', { answers })
  const endpoint = await apiJson<Endpoint>('/api/v1/webhook-endpoints', {
    token: tenant.token,
    body: { url: `https://${host}/kontor`, events: ['order.comment'] },
  })
  const comment = (message: string) =>
    apiJson(`/api/v1/orders/${order.id}/events`, { token: tenant.token, body: { type: 'comment', message } })
  const deliveries = async () =>
    (await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: tenant.token })).items as any[]
  const received = async () => (await simulatorCall(host, '/_sim/received')) as { headers: any; body: string }[]
  return { tenant, endpoint, host, comment, deliveries, received }
}

const messageOf = (body: string) => JSON.parse(body).data.event.message as string

describe('hub endpoints', () => {
  it('lists every attempt: a 500 and then a 200, with status, duration and the first 1 KB of the answer', async () => {
    const { tenant, endpoint, comment, deliveries } = await setup([{ status: 500, body: `boom ${'x'.repeat(2000)}` }])
    await comment('first try fails')
    const delivered = await waitFor(async () => (await deliveries()).find((d) => d.state === 'delivered'), {
      what: 'delivered after a retry',
    })
    const detail = await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivered.id}`, {
      token: tenant.token,
    })
    expect(detail.attempts).toBe(2)
    expect(detail.attemptHistory).toHaveLength(2)
    const [failed, succeeded] = detail.attemptHistory
    expect(failed).toMatchObject({ status: 500, error: expect.stringContaining('answered 500') })
    expect(failed.response).toHaveLength(1024)
    expect(failed.response.startsWith('boom x')).toBe(true)
    expect(succeeded).toMatchObject({ status: 204, error: null, response: null })
    for (const attempt of detail.attemptHistory) expect(attempt.durationMs).toBeGreaterThanOrEqual(0)
    expect(failed.at < succeeded.at).toBe(true)
  })

  it('a disabled endpoint’s deliveries wait, then go out in order; one older than the retention is not sent', async () => {
    const { tenant, endpoint, comment, deliveries, received } = await setup()
    const disabled = await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}`, {
      method: 'PATCH',
      token: tenant.token,
      body: { disabled: true },
    })
    expect(disabled).toMatchObject({ disabled: true, disabledReason: 'disabled through the API' })
    for (const message of ['one', 'two', 'three', 'four']) await comment(message)
    const held = await waitFor(
      async () => {
        const all = await deliveries()
        return all.length === 4 && all.every((d) => d.state === 'held') ? all : null
      },
      { what: 'four held deliveries' }
    )
    expect(await received()).toEqual([])
    // The oldest is older than the tenant's retention (30 days) by the time the endpoint is back.
    const oldest = held[held.length - 1]
    await env.DB.prepare('update webhook_deliveries set created_at = ? where id = ?')
      .bind(new Date(Date.now() - 31 * 86_400_000).toISOString(), oldest.id)
      .run()

    const enabled = await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}`, {
      method: 'PATCH',
      token: tenant.token,
      body: { disabled: false },
    })
    expect(enabled).toMatchObject({ disabled: false, disabledReason: null })
    const bodies = await waitFor(
      async () => {
        const all = await received()
        return all.length === 3 ? all : null
      },
      { what: 'three deliveries' }
    )
    expect(bodies.map((delivery) => messageOf(delivery.body))).toEqual(['two', 'three', 'four'])
    const after = await waitFor(
      async () => {
        const all = await deliveries()
        return all.filter((d) => d.state === 'delivered').length === 3 ? all : null
      },
      { what: 'states' }
    )
    expect(after.find((d) => d.id === oldest.id)).toMatchObject({
      state: 'failed',
      lastError: expect.stringContaining('older than the retention'),
    })
    // New deliveries go straight out again.
    await comment('five')
    await waitFor(async () => (await received()).length === 4, { what: 'the fifth' })
    const audit = await apiJson('/api/v1/audit-log?action=webhook_endpoint.changed', { token: tenant.token })
    expect(audit.items.map((entry: any) => entry.details.disabled)).toEqual([false, true])
  })

  it('a rotated secret signs beside the old one for 24 hours; the new one is shown once', async () => {
    const { tenant, endpoint, comment, received } = await setup()
    const rotated = await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      method: 'POST',
      token: tenant.token,
    })
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(endpoint.secret)
    const shown = await api(`/api/v1/webhook-endpoints/${endpoint.id}`, { token: tenant.token })
    const shownText = await shown.text()
    expect(shownText).not.toContain(rotated.secret.slice(6))
    expect(JSON.parse(shownText).previousSecretValidUntil).toBe(rotated.previousSecretValidUntil)

    await comment('signed twice')
    const [first] = await waitFor(async () => ((await received()).length === 1 ? await received() : null), {
      what: 'a delivery',
    })
    expect(first.headers['webhook-signature'].split(' ')).toHaveLength(2)
    const headers = {
      'webhook-id': first.headers['webhook-id'],
      'webhook-timestamp': first.headers['webhook-timestamp'],
      'webhook-signature': first.headers['webhook-signature'],
    }
    expect(() => new Webhook(endpoint.secret).verify(first.body, headers)).not.toThrow()
    expect(() => new Webhook(rotated.secret).verify(first.body, headers)).not.toThrow()

    // After the 24 hours only the new secret signs.
    await env.DB.prepare('update webhook_endpoints set previous_secret_until = ? where id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), endpoint.id)
      .run()
    await comment('signed once')
    const second = await waitFor(async () => (await received())[1], { what: 'a second delivery' })
    const secondHeaders = {
      'webhook-id': second.headers['webhook-id'],
      'webhook-timestamp': second.headers['webhook-timestamp'],
      'webhook-signature': second.headers['webhook-signature'],
    }
    expect(secondHeaders['webhook-signature'].split(' ')).toHaveLength(1)
    expect(() => new Webhook(rotated.secret).verify(second.body, secondHeaders)).not.toThrow()
    expect(() => new Webhook(endpoint.secret).verify(second.body, secondHeaders)).toThrow()
    const audit = await apiJson('/api/v1/audit-log?action=webhook_endpoint.secret_rotated', { token: tenant.token })
    expect(audit.items).toHaveLength(1)
    expect(JSON.stringify(audit)).not.toContain(rotated.secret.slice(6))
  })

  it('an endpoint failing for 5 days is disabled, with the reason shown, and its deliveries wait', async () => {
    const { tenant, endpoint, comment, deliveries } = await setup(
      Array.from({ length: 10 }, () => ({ status: 503, body: 'down for maintenance' }))
    )
    await env.DB.prepare('update webhook_endpoints set failing_since = ? where id = ?')
      .bind(new Date(Date.now() - 5 * 86_400_000 - 60_000).toISOString(), endpoint.id)
      .run()
    await comment('nobody listens')
    const shown = await waitFor(
      async () => {
        const row = await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}`, { token: tenant.token })
        return row.disabled ? row : null
      },
      { what: 'the endpoint disabled' }
    )
    expect(shown.disabledReason).toMatch(/^failing since .*5 days without a success.*answered 503/)
    await waitFor(async () => (await deliveries())[0]?.state === 'held', { what: 'the delivery held' })
    const audit = await apiJson('/api/v1/audit-log?action=webhook_endpoint.auto_disabled', { token: tenant.token })
    expect(audit.items).toMatchObject([{ actor: 'system', targetId: endpoint.id }])
  })
})
