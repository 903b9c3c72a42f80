/**
 * Issue 19, the delivery log: every inbound webhook request to a connection is recorded with its
 * headers (secrets masked), the verification, Kontor's answer and what it became; refused ones are
 * bounded per connection and minute; unknown connections leave nothing; accepted ones cost the
 * consumer no extra D1 round trip.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { REFUSED_PER_MINUTE } from '../../src/delivery-log/record'
import { MAX_WEBHOOK_BYTES } from '../../src/routes/webhooks'
import { handleIngestMessage } from '../../src/queue/ingest'
import type { DeliveryMessage } from '../../src/queue/messages'
import { pruneExpired } from '../../src/retention'
import { database } from '../../src/db/client'
import { countingD1 } from '../import/counting-d1'
import { ADMIN_TOKEN, api, apiJson, waitFor } from '../helpers'
import { signShopifyWebhook } from '../simulators/shopify'
import { deliverWebhook, orderJson, shopifyOrderPayload, shopifySetup, WEBHOOK_SECRET } from '../e2e/shopify-support'

type Listed = { items: any[]; nextCursor: string | null }

const deliveries = (token: string, search = '') =>
  apiJson<Listed>(`/api/v1/webhook-deliveries${search}`, { token }).then((page) => page.items)

async function storedCount(connectionId: string) {
  const row = await env.DB.prepare('select count(*) as n from inbound_deliveries where connection_id = ?')
    .bind(connectionId)
    .first<{ n: number }>()
  return row?.n ?? 0
}

describe('the delivery log', () => {
  it('records a signed delivery with its signature masked, the answer, and links to its order and import-log line', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const webhookId = crypto.randomUUID()
    const raw = orderJson({ id: 5550100, name: '#4711' })
    const response = await deliverWebhook(connection.id, shop.shopDomain, raw, { webhookId })
    expect(response.status).toBe(202)
    const signature = await signShopifyWebhook(WEBHOOK_SECRET, raw)

    const [listed] = await waitFor(
      async () => {
        const items = await deliveries(tenant.token, `?connectionId=${connection.id}`)
        return items.length && items[0].processing === 'imported' ? items : null
      },
      { what: 'the delivery, imported' }
    )
    expect(listed).toMatchObject({
      connectionId: connection.id,
      result: 'accepted',
      verification: 'verified',
      answerStatus: 202,
      deliveryKey: webhookId,
      topic: 'orders/create',
      bodyBytes: new TextEncoder().encode(raw).byteLength,
    })
    expect(listed).not.toHaveProperty('headers')

    const detail = await apiJson(`/api/v1/webhook-deliveries/${listed.id}`, { token: tenant.token })
    const headers = new Map<string, string>(detail.headers)
    expect(headers.get('x-shopify-hmac-sha256')).toBe(
      `${signature.slice(0, 4)}•••• (masked, ${signature.length} chars)`
    )
    expect(JSON.stringify(detail)).not.toContain(signature)
    expect(headers.get('x-shopify-topic')).toBe('orders/create')
    expect(headers.get('x-shopify-webhook-id')).toBe(webhookId)
    expect(detail.answerBody).toBe('{"accepted":true}')
    // The body is the inbox row's, byte for byte: stored once.
    expect(detail.body).toEqual({ text: raw, source: 'inbox', truncated: false })
    const stored = await env.DB.prepare('select body from inbound_deliveries where id = ?')
      .bind(listed.id)
      .first<{ body: string | null }>()
    expect(stored?.body).toBeNull()

    const [order] = (await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items
    expect(detail.orders).toEqual([
      { orderId: order.id, externalId: '5550100', result: 'created', number: order.number, status: 'new' },
    ])
    expect(detail.importLog).toHaveLength(1)
    expect(detail.importLog[0]).toMatchObject({ externalId: '5550100', result: 'created' })
    expect(detail.deadLetters).toEqual([])
    expect(detail.requests).toEqual([{ id: listed.id, receivedAt: listed.receivedAt, answerStatus: 202 }])

    // The platform delivers it again: a second request, linked to the first, still one order.
    expect((await deliverWebhook(connection.id, shop.shopDomain, raw, { webhookId })).status).toBe(202)
    const both = await waitFor(
      async () => {
        const items = await deliveries(tenant.token, `?connectionId=${connection.id}`)
        return items.length === 2 ? items : null
      },
      { what: 'the redelivery' }
    )
    const again = await apiJson(`/api/v1/webhook-deliveries/${both[0].id}`, { token: tenant.token })
    expect(again.requests.map((request: { id: string }) => request.id)).toEqual([listed.id, both[0].id])
    expect(again.orders).toEqual(detail.orders)
  })

  it('links a signed delivery that could never be imported to its failed import-log line and its dead letter', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const webhookId = crypto.randomUUID()
    expect((await deliverWebhook(connection.id, shop.shopDomain, '{not json', { webhookId })).status).toBe(202)
    const [listed] = await waitFor(
      async () => {
        const items = await deliveries(tenant.token, `?connectionId=${connection.id}&result=accepted`)
        return items.length && items[0].processing === 'dead-lettered' ? items : null
      },
      { what: 'the delivery, dead-lettered' }
    )
    const detail = await apiJson(`/api/v1/webhook-deliveries/${listed.id}`, { token: tenant.token })
    expect(detail.body).toEqual({ text: '{not json', source: 'inbox', truncated: false })
    expect(detail.orders).toEqual([])
    expect(detail.importLog).toHaveLength(1)
    expect(detail.importLog[0].result).toBe('failed')
    expect(detail.importLog[0].reason).toContain(webhookId)
    const letters = (await apiJson('/api/v1/dead-letters', { token: tenant.token })).items
    expect(detail.deadLetters.map((letter: { id: string }) => letter.id)).toEqual(letters.map((l: any) => l.id))
    expect(detail.deadLetters).toHaveLength(1)
  })

  it('records a bad signature as refused, with the reason and the body, and imports nothing', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const raw = orderJson({ id: 5550001 })
    const response = await deliverWebhook(connection.id, shop.shopDomain, raw, { secret: 'not-the-secret' })
    expect(response.status).toBe(401)
    const answer = await response.text()

    const [refused] = await deliveries(tenant.token, '?result=refused')
    expect(refused).toMatchObject({
      connectionId: connection.id,
      result: 'refused',
      verification: 'failed',
      answerStatus: 401,
      deliveryKey: null,
      processing: null,
    })
    expect(refused.reason).toMatch(/^the signature does not verify: /)
    const detail = await apiJson(`/api/v1/webhook-deliveries/${refused.id}`, { token: tenant.token })
    expect(detail.answerBody).toBe(answer)
    expect(detail.body).toEqual({ text: raw, source: 'request', truncated: false })
    expect(detail.orders).toEqual([])
    expect(await deliveries(tenant.token, '?result=accepted')).toEqual([])

    // Nothing was imported, nothing queued: no order, no import-log line, no inbox row.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await apiJson(`/api/v1/orders?connectionId=${connection.id}`, { token: tenant.token })).items).toEqual([])
    const log = await apiJson<Listed>(`/api/v1/import-log?connectionId=${connection.id}`, { token: tenant.token })
    // Only the connection's own backfill note (SH1), nothing about this order.
    expect(log.items.filter((line) => line.externalId === '5550001' || line.result === 'failed')).toEqual([])
    const inbox = await env.DB.prepare('select count(*) as n from inbox where connection_id = ?')
      .bind(connection.id)
      .first<{ n: number }>()
    expect(inbox?.n).toBe(0)
  })

  it('keeps only the first 8 KB of a refused body and records an oversized one unread', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const big = orderJson({ id: 5550002, note: 'x'.repeat(20_000) })
    expect((await deliverWebhook(connection.id, shop.shopDomain, big, { signature: 'bm90IGl0' })).status).toBe(401)
    const [refused] = await deliveries(tenant.token)
    const detail = await apiJson(`/api/v1/webhook-deliveries/${refused.id}`, { token: tenant.token })
    expect(detail.body.truncated).toBe(true)
    const bytes = new TextEncoder().encode(big)
    expect(detail.body.text).toBe(new TextDecoder().decode(bytes.subarray(0, 8 * 1024)))
    expect(detail.bodyBytes).toBe(bytes.byteLength)

    const tooLarge = 'x'.repeat(MAX_WEBHOOK_BYTES + 1)
    expect((await deliverWebhook(connection.id, shop.shopDomain, tooLarge)).status).toBe(413)
    const [refusedUnread] = await deliveries(tenant.token)
    expect(refusedUnread).toMatchObject({ answerStatus: 413, verification: 'not checked', bodyBytes: tooLarge.length })
    const unread = await apiJson(`/api/v1/webhook-deliveries/${refusedUnread.id}`, { token: tenant.token })
    expect(unread.body).toEqual({ text: null, source: 'not read', truncated: false })
  })

  it('records at most REFUSED_PER_MINUTE refusals per connection and minute, and counts the rest', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    const sent = 2 * REFUSED_PER_MINUTE + 5
    for (let i = 0; i < sent; i++) {
      const response = await deliverWebhook(connection.id, shop.shopDomain, orderJson({ id: 6660000 + i }), {
        signature: null,
      })
      expect(response.status).toBe(401)
    }
    const rows = await env.DB.prepare(
      'select received_at, unrecorded from inbound_deliveries where connection_id = ? order by received_at'
    )
      .bind(connection.id)
      .all<{ received_at: string; unrecorded: number }>()
    const perMinute = new Map<string, number>()
    for (const row of rows.results) {
      const minute = row.received_at.slice(0, 16)
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1)
    }
    // However the minutes fall, none holds more than the cap, and every refusal is recorded or counted.
    for (const count of perMinute.values()) expect(count).toBeLessThanOrEqual(REFUSED_PER_MINUTE)
    const counted = rows.results.reduce((sum, row) => sum + row.unrecorded, 0)
    expect(rows.results.length + counted).toBe(sent)
    expect(counted).toBeGreaterThan(0)
    // The API shows the count on the minute's last recorded refusal.
    const listed = await apiJson<Listed>(`/api/v1/webhook-deliveries?result=refused&limit=200`, {
      token: tenant.token,
    })
    expect(listed.items.reduce((sum, row) => sum + row.unrecorded, 0)).toBe(counted)
  })

  it('records nothing for a connection that does not exist', async () => {
    const missing = `con_${crypto.randomUUID().replace(/-/g, '')}`
    const response = await deliverWebhook(missing, 'nobody.myshopify.com', orderJson(), { signature: 'x' })
    expect(response.status).toBe(404)
    expect(await storedCount(missing)).toBe(0)
  })

  it('records a platform mismatch and a suspended tenant’s 410, without reading the body', async () => {
    const { tenant, connection } = await shopifySetup()
    const wrongPlatform = await api(`/webhooks/woocommerce/${connection.id}`, { method: 'POST', rawBody: '{}' })
    expect(wrongPlatform.status).toBe(404)
    const [mismatch] = await deliveries(tenant.token)
    expect(mismatch).toMatchObject({ answerStatus: 404, verification: 'not checked' })
    expect(mismatch.reason).toContain('"woocommerce"')
    expect(await storedCount(connection.id)).toBe(1)

    await apiJson(`/api/v1/tenants/${tenant.id}`, { token: ADMIN_TOKEN, method: 'DELETE' })
    const gone = await api(`/webhooks/shopify/${connection.id}`, { method: 'POST', rawBody: '{}' })
    expect(gone.status).toBe(410)
    const suspended = await env.DB.prepare(
      'select answer_status, reason, body from inbound_deliveries where connection_id = ? order by received_at desc limit 1'
    )
      .bind(connection.id)
      .first()
    expect(suspended).toEqual({ answer_status: 410, reason: 'this account is suspended', body: null })
  })

  it('is tenant-scoped, and the API refuses an unknown parameter', async () => {
    const first = await shopifySetup()
    const second = await shopifySetup()
    await deliverWebhook(first.connection.id, first.shop.shopDomain, orderJson(), { signature: null })
    const [own] = await deliveries(first.tenant.token)
    expect(own).toBeTruthy()
    expect(await deliveries(second.tenant.token)).toEqual([])
    expect((await api(`/api/v1/webhook-deliveries/${own.id}`, { token: second.tenant.token })).status).toBe(404)
    expect((await api(`/api/v1/webhook-deliveries?externalId=1`, { token: first.tenant.token })).status).toBe(400)
    expect((await api(`/api/v1/webhook-deliveries?result=ignored`, { token: first.tenant.token })).status).toBe(400)
    expect(await deliveries(first.tenant.token, `?connectionId=${second.connection.id}`)).toEqual([])
  })

  it('is pruned after the tenant’s retentionDays', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    await deliverWebhook(connection.id, shop.shopDomain, orderJson(), { signature: null })
    const [row] = await deliveries(tenant.token)
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString()
    await env.DB.prepare('update inbound_deliveries set received_at = ? where id = ?').bind(old, row.id).run()
    await deliverWebhook(connection.id, shop.shopDomain, orderJson(), { signature: null })
    expect(await storedCount(connection.id)).toBe(2)
    const pruned = await pruneExpired(database(env.DB))
    expect(pruned.deliveryLogRows).toBeGreaterThanOrEqual(1)
    expect(await storedCount(connection.id)).toBe(1)
    expect((await api(`/api/v1/webhook-deliveries/${row.id}`, { token: tenant.token })).status).toBe(404)
  })

  it('costs the consumer no extra D1 round trip: the log row rides in the inbox batch', async () => {
    const { shop, connection } = await shopifySetup()
    const cost = async (withRequest: boolean, id: number) => {
      const counting = countingD1(env.DB)
      const message: DeliveryMessage = {
        type: 'delivery',
        connectionId: connection.id,
        deliveryKey: crypto.randomUUID(),
        topic: 'orders/create',
        body: JSON.stringify(shopifyOrderPayload({ id, email: `${id}@example.com` })),
        receivedAt: new Date().toISOString(),
        ...(withRequest
          ? {
              request: {
                id: `ind_${crypto.randomUUID()}`,
                tenantId: (await env.DB.prepare('select tenant_id from connections where id = ?')
                  .bind(connection.id)
                  .first<string>('tenant_id'))!,
                method: 'POST',
                url: `/webhooks/shopify/${connection.id}`,
                headers: [['x-shopify-shop-domain', shop.shopDomain]],
                bodyBytes: 100,
              },
            }
          : {}),
      }
      await handleIngestMessage({ ...env, DB: counting.db } as typeof env, message)
      return counting.counts
    }
    await cost(false, 7770000) // the connection's first import reads what later ones find cached
    const without = await cost(false, 7770001)
    const withLog = await cost(true, 7770002)
    console.log(
      `INGEST consumer, one new Shopify order: ${without.statements} statements in ${without.roundTrips} round trips; ` +
        `with its delivery-log row: ${withLog.statements} in ${withLog.roundTrips}`
    )
    expect(withLog.roundTrips).toBe(without.roundTrips)
    expect(withLog.statements).toBe(without.statements + 1)
  })
})
