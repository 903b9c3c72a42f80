/**
 * Two tenants on every API route of the OpenAPI document. Tenant A has a connection, an imported
 * order (with customer, lines, import log), a hub endpoint with a delivery, an outbound call and
 * a dead letter, tokens and audit rows. Tenant B's token is then used on every route with A's ids in every path
 * parameter and every query filter: a route naming one of A's resources answers 404 (403 where
 * only the operator may), a list answers without any of A's data, and nothing of A changes.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createTenant, waitFor, waitForJob } from '../helpers'
import { deliverWebhook, orderJson, shopifySetup, WEBHOOK_SECRET } from '../e2e/shopify-support'
import { ADMIN_TOKEN, captureLogs, expectNothingSecretLogged, report, rows, secret } from './support'

captureLogs()

type Document = { paths: Record<string, Record<string, any>> }

/** A body that would pass validation for B's own resources, so a 404 is the tenant check's. */
const BODIES: Record<string, unknown> = {
  createTenant: { name: 'B again', currency: 'EUR' },
  createToken: { scopes: ['read'] },
  createConnection: { platform: 'cartum', name: 'B', credentials: {}, settings: {} },
  updateConnection: { name: 'renamed by B' },
  syncConnection: { mode: 'poll' },
  reportOrderEvent: { type: 'comment', message: 'B was here' },
  replayDeadLetters: { since: '2000-01-01T00:00:00Z' },
  createWebhookEndpoint: { url: 'https://b.hooks.test/x', events: ['*'] },
  updateWebhookEndpoint: { disabled: true, events: ['order.imported'] },
  updateTenant: { name: 'renamed by B' },
}

describe('tenant B on every route with tenant A’s ids', () => {
  it('404 (or a list without A’s data) on every route, and nothing of A changes', async ({ task }) => {
    // ---- tenant A and everything it owns ----
    const { shop, tenant: a, connection } = await shopifySetup()
    // Its backfill logs its pages: the log check below then has the Worker's lines to read.
    expect((await waitForJob(connection.backfillJobId!, 60_000)).status).toBe('done')
    secret(a.token)
    secret(WEBHOOK_SECRET)
    secret(shop.accessToken)
    const endpointResponse = await api('/api/v1/webhook-endpoints', {
      token: a.token,
      body: { url: 'https://a-tenant.hooks.test/kontor', events: ['*'] },
    })
    const endpoint = (await endpointResponse.json()) as { id: string; secret: string }
    secret(endpoint.secret)
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 990001 }))).status).toBe(202)
    const order = await waitFor(
      async () => (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: a.token })).items[0],
      { what: 'A’s order' }
    )
    const full = await apiJson(`/api/v1/orders/${order.id}`, { token: a.token })
    await apiJson(`/api/v1/orders/${order.id}/events`, { token: a.token, body: { type: 'processing' } })
    const delivery = await waitFor(
      async () => (await apiJson(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: a.token })).items[0],
      { what: 'A’s delivery' }
    )
    const deadLetterId = `dl_a_${crypto.randomUUID().slice(0, 8)}`
    await env.DB.prepare(
      'insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, ?, ?, ?, ?, ?)'
    )
      .bind(
        deadLetterId,
        a.id,
        'ingest',
        JSON.stringify({ type: 'webhook', inboxId: `inb_${deadLetterId}` }),
        'A’s failure',
        6,
        new Date().toISOString()
      )
      .run()
    const outbound = await waitFor(
      async () => (await apiJson(`/api/v1/outbound-calls?orderId=${order.id}`, { token: a.token })).items[0],
      { what: 'A’s outbound call' }
    )
    const [aToken] = (await apiJson('/api/v1/tokens', { token: a.token })).items
    const customerEmail: string = full.customer?.email ?? 'none'
    const ids: Record<string, string> = {
      connection: connection.id,
      order: order.id,
      endpoint: endpoint.id,
      delivery: delivery.id,
      deadLetter: deadLetterId,
      outbound: outbound.id,
      tenant: a.id,
      token: aToken.id,
    }
    const aData = [...Object.values(ids), customerEmail, '990001']
    const snapshot = async () =>
      JSON.stringify({
        connection: await rows(
          'select name, deleted_at, settings, routes from connections where id = ?',
          connection.id
        ),
        events: await rows('select count(*) as n from order_events where order_id = ?', order.id),
        endpoint: await rows('select deleted_at from webhook_endpoints where id = ?', endpoint.id),
        deliveries: await rows('select state, attempts from webhook_deliveries where endpoint_id = ?', endpoint.id),
        dead: await rows('select replayed_at from dead_letters where id = ?', deadLetterId),
        jobs: await rows('select count(*) as n from sync_jobs where connection_id = ?', connection.id),
        tokens: await rows('select revoked_at, name from tokens where tenant_id = ?', a.id),
        tenant: await rows('select name, currency, suspended_at from tenants where id = ?', a.id),
        endpointState: await rows(
          'select url, events, secret, disabled_at from webhook_endpoints where id = ?',
          endpoint.id
        ),
        audit: await rows('select count(*) as n from audit_log where tenant_id = ?', a.id),
      })
    const before = await snapshot()

    // ---- tenant B on every route ----
    const b = await createTenant('EUR')
    secret(b.token)
    const document = await apiJson<Document>('/api/v1/openapi.json')
    const candidates = (name: string, path: string): string[] => {
      if (name === 'deliveryId') return [ids.delivery]
      if (path.startsWith('/api/v1/connections')) return [ids.connection]
      if (path.startsWith('/api/v1/orders')) return [ids.order]
      if (path.startsWith('/api/v1/webhook-endpoints')) return [ids.endpoint]
      if (path.startsWith('/api/v1/dead-letters')) return [ids.deadLetter]
      if (path.startsWith('/api/v1/tokens')) return [ids.token]
      if (path.startsWith('/api/v1/tenants')) return [ids.tenant]
      // A route this test does not know yet: every id A has.
      return Object.values(ids)
    }
    const checked: string[] = []
    const problems: string[] = []
    for (const [path, methods] of Object.entries(document.paths)) {
      if (!path.startsWith('/api/v1/') || path === '/api/v1/openapi.json') continue
      for (const [method, operation] of Object.entries(methods)) {
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])
        let variants = [path]
        for (const name of names)
          variants = variants.flatMap((variant) =>
            candidates(name, path).map((id) => variant.replace(`{${name}}`, encodeURIComponent(id)))
          )
        const filters = (operation.parameters ?? [])
          .filter((parameter: any) => parameter.in === 'query' && /id$/i.test(parameter.name))
          .map((parameter: any) => parameter.name as string)
        for (const variant of variants) {
          const query = new URLSearchParams()
          for (const filter of filters) query.set(filter, filter === 'orderId' ? ids.order : ids.connection)
          const url = `${variant}${query.size ? `?${query}` : ''}`
          // B's own token, and the operator acting for B (X-Tenant-Id) on A's ids.
          for (const caller of ['tenant B', 'operator for B']) {
            const response = await api(url, {
              method: method.toUpperCase(),
              token: caller === 'tenant B' ? b.token : ADMIN_TOKEN,
              headers: caller === 'tenant B' ? {} : { 'x-tenant-id': b.id },
              body: operation.requestBody ? (BODIES[operation.operationId] ?? {}) : undefined,
            })
            const text = await response.text()
            const what = `${caller}: ${method.toUpperCase()} ${url}`
            checked.push(`${what} → ${response.status}`)
            const leaked = aData.filter((value) => text.includes(value))
            if (leaked.length) problems.push(`${what} shows A’s ${leaked.join(', ')}`)
            if (names.length && ![403, 404].includes(response.status))
              problems.push(`${what} → ${response.status}: ${text.slice(0, 200)}`)
            if (!names.length && response.status >= 500) problems.push(`${what} → ${response.status}`)
          }
        }
      }
    }
    expect(problems.join('\n')).toBe('')
    expect(await snapshot()).toBe(before)
    // A still sees all of it.
    expect((await api(`/api/v1/orders/${order.id}`, { token: a.token })).status).toBe(200)
    report(task, {
      area: 'attacks',
      what: 'tenant B’s token, and the operator acting for B, on every API route with tenant A’s ids in path and query',
      count: checked.length,
      unit: 'requests',
      held: '404/403 for A’s resources, lists without A’s data, A unchanged',
    })
    task.meta.details = checked
  })

  it('no secret, e-mail or phone in anything logged meanwhile', async ({ task }) => {
    await expectNothingSecretLogged(task, 'two tenants')
  })
})
