/**
 * 1,000 fuzzed deliveries per webhook route, each route verifying its own way: Shopify and
 * WooCommerce HMAC the raw body, Cartum and Wemalo carry a key in the URL (Wemalo also a token).
 * Bodies and headers come from fast-check (fixed seeds, so a failure replays); the attacks include
 * a valid signature over other bytes, another connection's secret, the right key with a wrong
 * token, and near misses of the key. Nothing may answer 5xx, and without a valid signature
 * nothing may be stored or queued: the connection's inbox stays empty and no dead letter appears.
 */
import fc from 'fast-check'
import { describe, expect, it, type TaskMeta } from 'vitest'
import { api, createConnection, createTenant, simulatorCall, uniqueName } from '../helpers'
import { simulatedShop } from '../e2e/shopify-support'
import { shopifyOrderPayload } from '../simulators/shopify'
import { signWooWebhook, wooOrderPayload } from '../simulators/woocommerce'
import { cartumOrderPayload } from '../simulators/cartum'
import { captureLogs, deadLetterCount, expectNothingSecretLogged, report, rows, secret } from './support'

captureLogs()

const CASES = 1000
const BATCH = 25

type Case = { method: string; path: string; headers: Record<string, string>; body: string | Uint8Array }

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 120,
})
const headerValue = fc.oneof(
  printable,
  fc.constantFrom('', ' ', 'null', 'undefined', '%%%', '=', 'sha256=', 'Bearer ', '\t', 'a'.repeat(8192))
)

/** Bodies: random bytes, unicode, JSON of any shape, plausible orders, broken and deep JSON. */
function bodies(order: () => unknown) {
  return fc.oneof(
    fc.constant(''),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.uint8Array({ maxLength: 600 }),
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc.constant(null).map(() => JSON.stringify(order())),
    fc.integer({ min: 1, max: 200 }).map((cut) => JSON.stringify(order()).slice(0, cut)),
    fc.integer({ min: 100, max: 20_000 }).map((depth) => '['.repeat(depth)),
    fc.constant('webhook_id=12'),
    fc.constant(null).map(() => `<?xml version="1.0"?><order>${'x'.repeat(100)}</order>`)
  )
}

const bytesOf = (body: string | Uint8Array) => (typeof body === 'string' ? new TextEncoder().encode(body) : body)
const flipped = (body: string | Uint8Array) => {
  const bytes = new Uint8Array(bytesOf(body))
  if (bytes.length === 0) return new Uint8Array([0x20])
  bytes[bytes.length - 1] ^= 0x01
  return bytes
}

async function hmacBase64(secretKey: string, body: string | Uint8Array) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secretKey),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, bytesOf(body)))
  return btoa(String.fromCharCode(...mac))
}

/** Sends the cases BATCH at a time; returns the tally of statuses. */
async function fire(cases: Case[]) {
  const statuses = new Map<number, number>()
  for (let start = 0; start < cases.length; start += BATCH) {
    const answered = await Promise.all(
      cases.slice(start, start + BATCH).map(async (one) => {
        const response = await api(one.path, { method: one.method, headers: one.headers, rawBody: one.body })
        await response.arrayBuffer()
        return response.status
      })
    )
    for (const status of answered) statuses.set(status, (statuses.get(status) ?? 0) + 1)
  }
  return statuses
}

async function inboxCount(connectionId: string) {
  return (await rows<{ n: number }>('select count(*) as n from inbox where connection_id = ?', connectionId))[0].n
}

async function expectNothingStored(
  task: { meta: TaskMeta },
  route: string,
  tenantId: string,
  connectionId: string,
  cases: Case[],
  how: string
) {
  const deadBefore = await deadLetterCount(tenantId)
  const inboxBefore = await inboxCount(connectionId)
  const statuses = await fire(cases)
  const tally = Object.fromEntries([...statuses].sort(([a], [b]) => a - b))
  expect(cases.length).toBeGreaterThanOrEqual(CASES)
  expect(
    [...statuses.keys()].filter((status) => status >= 500),
    JSON.stringify(tally)
  ).toEqual([])
  // Give anything wrongly queued a moment to surface as a row or a dead letter.
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(await inboxCount(connectionId)).toBe(inboxBefore)
  expect(await deadLetterCount(tenantId)).toBe(deadBefore)
  report(task, {
    area: 'attacks',
    what: `${route} webhook: fuzzed bodies and headers, ${how}`,
    count: cases.length,
    unit: 'requests',
    held: `no 5xx (${Object.entries(tally)
      .map(([status, n]) => `${n}× ${status}`)
      .join(', ')}); inbox and dead letters unchanged`,
  })
}

describe('webhook intake under fuzzing (1,000 per route)', () => {
  it('Shopify: X-Shopify-Hmac-Sha256 over the raw body', async ({ task }) => {
    const shop = await simulatedShop()
    const webhookSecret = secret(`shpss_${crypto.randomUUID()}`)
    const otherSecret = secret(`shpss_${crypto.randomUUID()}`)
    const tenant = await createTenant('USD')
    secret(tenant.token)
    const connection = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: secret(shop.accessToken), webhookSecret },
      settings: { pollMinutes: 1440 },
    })
    const arbitrary = fc.record({
      body: bodies(() => shopifyOrderPayload()),
      topic: fc.oneof(
        fc.constantFrom('orders/create', 'orders/updated', 'orders/cancelled', 'app/uninstalled'),
        printable
      ),
      signature: fc.constantFrom('none', 'random', 'other-bytes', 'other-secret', 'hex', 'padded', 'empty'),
      domain: fc.constantFrom(shop.shopDomain, 'evil.myshopify.com', ''),
      webhookId: fc.oneof(fc.uuid(), printable),
      extra: fc.dictionary(
        fc.constantFrom('x-shopify-api-version', 'x-shopify-triggered-at', 'content-type', 'x-forwarded-for'),
        headerValue,
        { maxKeys: 3 }
      ),
    })
    const samples = fc.sample(arbitrary, { numRuns: CASES, seed: 1010 })
    const cases: Case[] = await Promise.all(
      samples.map(async (sample) => {
        const headers: Record<string, string> = {
          ...sample.extra,
          'x-shopify-topic': sample.topic,
          'x-shopify-webhook-id': sample.webhookId,
        }
        if (sample.domain) headers['x-shopify-shop-domain'] = sample.domain
        const good = await hmacBase64(webhookSecret, sample.body)
        const signatures: Record<string, string | null> = {
          none: null,
          random: btoa(crypto.randomUUID()),
          // A valid signature, but of other bytes: the body was changed on the way.
          'other-bytes': await hmacBase64(webhookSecret, flipped(sample.body)),
          'other-secret': await hmacBase64(otherSecret, sample.body),
          hex: [...atob(good)].map((char) => char.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
          padded: `${good.slice(0, -2)}==x`,
          empty: '',
        }
        const signature = signatures[sample.signature]
        if (signature !== null) headers['x-shopify-hmac-sha256'] = signature
        return { method: 'POST', path: `/webhooks/shopify/${connection.id}`, headers, body: sample.body }
      })
    )
    await expectNothingStored(
      task,
      'Shopify',
      tenant.id,
      connection.id,
      cases,
      'signature missing, random, over other bytes, with another secret, hex, padded'
    )
  })

  it('WooCommerce: X-WC-Webhook-Signature over the raw body', async ({ task }) => {
    const host = `${uniqueName('site')}.woo.example`
    const webhookSecret = secret(`woo-${crypto.randomUUID()}`)
    const consumerSecret = secret(`cs_${crypto.randomUUID().replace(/-/g, '')}`)
    await simulatorCall(host, '/_sim/site', { consumerKey: 'ck_fuzz', consumerSecret, webhookSecret })
    const tenant = await createTenant('EUR')
    secret(tenant.token)
    const connection = await createConnection(tenant.token, {
      platform: 'woocommerce',
      credentials: { siteUrl: `https://${host}`, consumerKey: 'ck_fuzz', consumerSecret, webhookSecret },
      settings: { pollMinutes: 1440 },
    })
    const arbitrary = fc.record({
      body: bodies(() => wooOrderPayload()),
      topic: fc.oneof(
        fc.constantFrom('order.created', 'order.updated', 'product.updated', 'action.woocommerce'),
        printable
      ),
      // The consumer secret is not the webhook secret: a signature made with it must not verify.
      signature: fc.constantFrom('none', 'random', 'other-bytes', 'consumer-secret', 'empty', 'hex'),
      source: fc.constantFrom(`https://${host}/`, 'https://evil.example/', ''),
      extra: fc.dictionary(
        fc.constantFrom('x-wc-webhook-id', 'x-wc-webhook-delivery-id', 'content-type', 'user-agent'),
        headerValue,
        { maxKeys: 3 }
      ),
    })
    const samples = fc.sample(arbitrary, { numRuns: CASES, seed: 2020 })
    const cases: Case[] = await Promise.all(
      samples.map(async (sample) => {
        const headers: Record<string, string> = {
          ...sample.extra,
          'x-wc-webhook-topic': sample.topic,
          'x-wc-webhook-resource': sample.topic.split('.')[0] ?? '',
          'x-wc-webhook-event': sample.topic.split('.')[1] ?? '',
        }
        if (sample.source) headers['x-wc-webhook-source'] = sample.source
        const good = await signWooWebhook(webhookSecret, new TextDecoder().decode(bytesOf(sample.body)))
        const signatures: Record<string, string | null> = {
          none: null,
          random: btoa(crypto.randomUUID()),
          'other-bytes': await hmacBase64(webhookSecret, flipped(sample.body)),
          'consumer-secret': await hmacBase64(consumerSecret, sample.body),
          empty: '',
          hex: [...atob(good)].map((char) => char.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
        }
        const signature = signatures[sample.signature]
        if (signature !== null) headers['x-wc-webhook-signature'] = signature
        return { method: 'POST', path: `/webhooks/woocommerce/${connection.id}`, headers, body: sample.body }
      })
    )
    await expectNothingStored(
      task,
      'WooCommerce',
      tenant.id,
      connection.id,
      cases,
      'signature missing, random, over other bytes, with the consumer secret, hex'
    )
  })

  it('Cartum: the key in the URL (Cartum signs nothing)', async ({ task }) => {
    const host = `${uniqueName('shop')}.cartum.example`
    const password = secret(`pw-${crypto.randomUUID()}`)
    await simulatorCall(host, '/_sim/shop', { login: 'api', password })
    const tenant = await createTenant('UAH')
    secret(tenant.token)
    const connection = await createConnection(tenant.token, {
      platform: 'cartum',
      credentials: { domain: host, login: 'api', password },
      settings: { registerWebhooks: false, pollMinutes: 1440 },
    })
    const key = secret(connection.webhookSecret!)
    // Another shop: one platform account is one live connection per tenant (issue 16, finding 1).
    const otherHost = `${uniqueName('shop')}.cartum.example`
    await simulatorCall(otherHost, '/_sim/shop', { login: 'api', password })
    const other = await createConnection(tenant.token, {
      platform: 'cartum',
      credentials: { domain: otherHost, login: 'api', password },
      settings: { registerWebhooks: false, pollMinutes: 1440 },
    })
    const otherKey = secret(other.webhookSecret!)
    const arbitrary = fc.record({
      body: bodies(() => cartumOrderPayload({ order_id: 1 + Math.floor(Math.random() * 1e6) })),
      method: fc.constantFrom('PUT', 'POST'),
      key: fc.oneof(
        fc.constantFrom(
          'none',
          'other-connection',
          'prefix',
          'suffix',
          'case',
          'twice-wrong-first',
          'empty',
          'encoded'
        ),
        printable.map((value) => `random:${value}`)
      ),
      extra: fc.dictionary(fc.constantFrom('content-type', 'authorization', 'x-forwarded-for'), headerValue, {
        maxKeys: 2,
      }),
    })
    const samples = fc.sample(arbitrary, { numRuns: CASES, seed: 3030 })
    const keyFor = (kind: string): string | null => {
      if (kind.startsWith('random:')) return kind.slice(7)
      return {
        none: null,
        'other-connection': otherKey,
        prefix: key.slice(0, -1),
        suffix: `${key}x`,
        case: key.toUpperCase() === key ? key.toLowerCase() : key.toUpperCase(),
        'twice-wrong-first': null,
        empty: '',
        encoded: encodeURIComponent(`${key} `),
      }[kind] as string | null
    }
    const cases: Case[] = samples.map((sample) => {
      let query = ''
      const value = keyFor(sample.key)
      if (sample.key === 'twice-wrong-first') query = `?key=wrong&key=${encodeURIComponent(key)}`
      else if (value !== null) query = `?key=${encodeURIComponent(value)}`
      return {
        method: sample.method,
        path: `/webhooks/cartum/${connection.id}${query}`,
        headers: sample.extra,
        body: sample.body,
      }
    })
    await expectNothingStored(
      task,
      'Cartum',
      tenant.id,
      connection.id,
      cases,
      "key missing, random, another connection's, one character short or long, other case, repeated"
    )
  })

  it('Wemalo: the key in the URL and the registered token wherever a callback carries one', async ({ task }) => {
    const host = `${uniqueName('w')}.wemalo.test`
    const token = secret(`wemalo-${crypto.randomUUID()}`)
    await simulatorCall(host, '/_sim/account', { token })
    const tenant = await createTenant('EUR')
    secret(tenant.token)
    const connection = await createConnection(tenant.token, {
      platform: 'wemalo',
      credentials: { token },
      settings: { baseUrl: `https://${host}/v1`, registerWebhooks: false },
    })
    const key = secret(connection.webhookSecret ?? new URL(connection.webhookUrl).searchParams.get('key')!)
    const arbitrary = fc.record({
      body: fc.oneof(
        bodies(() => ({ externalId: 'x', orderId: 1 })),
        fc
          .record({
            event: fc.constantFrom('status_update', 'trackingnumber_added'),
            goodsOrderId: fc.integer(),
            goodsOrderParcelId: fc.integer(),
            externalId: printable,
            orderId: fc.integer(),
            token: printable,
          })
          .map((value) => JSON.stringify(value))
      ),
      // The right key with a wrong token must be refused as well.
      key: fc.constantFrom(
        'none',
        'random',
        'prefix',
        'right-key-wrong-token-header',
        'right-key-wrong-bearer',
        'right-key-wrong-body-token'
      ),
      event: fc.constantFrom('status_update', 'trackingnumber_added', 'nonsense', ''),
      extra: fc.dictionary(fc.constantFrom('content-type', 'x-forwarded-for', 'user-agent'), headerValue, {
        maxKeys: 2,
      }),
    })
    const samples = fc.sample(arbitrary, { numRuns: CASES, seed: 4040 })
    const cases: Case[] = samples.map((sample) => {
      const headers: Record<string, string> = { ...sample.extra }
      let body = sample.body
      let keyValue: string | null = null
      if (sample.key === 'random') keyValue = crypto.randomUUID()
      else if (sample.key === 'prefix') keyValue = key.slice(0, -1)
      else if (sample.key.startsWith('right-key')) keyValue = key
      if (sample.key === 'right-key-wrong-token-header') headers.token = `x${crypto.randomUUID()}`
      if (sample.key === 'right-key-wrong-bearer') headers.authorization = `Bearer ${crypto.randomUUID()}`
      if (sample.key === 'right-key-wrong-body-token') {
        body = JSON.stringify({
          event: sample.event || 'status_update',
          externalId: 'x',
          orderId: 1,
          goodsOrderId: 1,
          goodsOrderParcelId: 2,
          token: crypto.randomUUID(),
        })
      }
      const params = new URLSearchParams()
      if (keyValue !== null) params.set('key', keyValue)
      if (sample.event) params.set('event', sample.event)
      const query = params.size ? `?${params}` : ''
      return { method: 'POST', path: `/webhooks/wemalo/${connection.id}${query}`, headers, body }
    })
    await expectNothingStored(
      task,
      'Wemalo',
      tenant.id,
      connection.id,
      cases,
      'key missing, random, one short; the right key with a wrong token (header, Bearer, body)'
    )
  })

  it('no secret, e-mail or phone in anything logged while fuzzing', async ({ task }) => {
    await expectNothingSecretLogged(task, 'webhook fuzzing')
  })
})
