/**
 * Issue 7 part 5: creating a Shopify, WooCommerce or Cartum connection registers Kontor's
 * webhooks at the platform (its simulator), `settings.registerWebhooks: false` registers none,
 * deleting the connection removes them, and the cron's health check finds a webhook the platform
 * deleted (Shopify) or disabled (WooCommerce), registers it again and shows that on the connection.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createConnection, createTenant, runCron, simulatorCall, uniqueName } from '../helpers'
import { simulatedShop, WEBHOOK_SECRET } from './shopify-support'

const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/edited',
  'products/create',
  'products/update',
]
const WOO_TOPICS = [
  'order.created',
  'order.updated',
  'order.deleted',
  'order.restored',
  'product.created',
  'product.updated',
  'product.deleted',
  'customer.created',
  'customer.updated',
  'customer.deleted',
]
const WOO_SECRET = 'woo-registration-secret'
/** The cron as it runs 20 minutes from now: every registration is then due for its check. */
const later = () => new Date(Date.now() + 20 * 60_000)

type Registration = { state: string; checkedAt: string; reregistered?: number; error?: string }

async function connectionOf(token: string, id: string) {
  return apiJson<{ webhookRegistration?: Registration; webhookUrl?: string }>(`/api/v1/connections/${id}`, { token })
}

async function remove(token: string, id: string) {
  const response = await api(`/api/v1/connections/${id}`, { method: 'DELETE', token })
  expect(response.status).toBe(204)
}

async function simulatorDelete(host: string, path: string) {
  const response = await fetch(`https://${host}${path}`, { method: 'DELETE' })
  if (!response.ok) throw new Error(`simulator DELETE ${path}: ${response.status} ${await response.text()}`)
}

async function shopifyConnection(
  settings: Record<string, unknown> = {},
  shop?: { shopDomain: string; accessToken: string }
) {
  const { shopDomain, accessToken } = shop ?? (await simulatedShop())
  const tenant = await createTenant('USD')
  const connection = await createConnection(tenant.token, {
    platform: 'shopify',
    credentials: { shopDomain, accessToken, webhookSecret: WEBHOOK_SECRET },
    settings,
  })
  const subscriptions = async () =>
    (await simulatorCall(shopDomain, '/_sim/webhooks')).webhooks as { id: number; topic: string; address: string }[]
  return { shopDomain, tenant, connection, subscriptions }
}

async function wooConnection(settings: Record<string, unknown> = {}) {
  const host = `${uniqueName('site')}.woo.example`
  await simulatorCall(host, '/_sim/site', {
    consumerKey: 'ck_reg',
    consumerSecret: 'cs_reg',
    webhookSecret: WOO_SECRET,
  })
  const tenant = await createTenant('EUR')
  const connection = await createConnection(tenant.token, {
    platform: 'woocommerce',
    credentials: {
      siteUrl: `https://${host}`,
      consumerKey: 'ck_reg',
      consumerSecret: 'cs_reg',
      webhookSecret: WOO_SECRET,
    },
    settings,
  })
  const webhooks = async () =>
    (await simulatorCall(host, '/_sim/webhooks')) as {
      id: number
      topic: string
      status: string
      delivery_url: string
      secret: string
    }[]
  return { host, tenant, connection, webhooks }
}

async function cartumConnection(settings: Record<string, unknown> = {}) {
  const host = `${uniqueName('shop')}.cartum.example`
  await simulatorCall(host, '/_sim/shop', { login: 'api', password: 'q4lrfb3' })
  const tenant = await createTenant('UAH')
  const connection = await createConnection(tenant.token, {
    platform: 'cartum',
    credentials: { domain: host, login: 'api', password: 'q4lrfb3' },
    settings,
  })
  const hooks = async () =>
    (await simulatorCall(host, '/_sim/hooks')) as { id: number; event: string; target_url: string }[]
  return { host, tenant, connection, hooks }
}

describe('Webhook registration at the platforms', () => {
  it('Shopify: creating a connection subscribes the order and product topics to its webhook URL', async () => {
    const { tenant, connection, subscriptions } = await shopifyConnection()
    const subscribed = await subscriptions()
    expect(subscribed.map((webhook) => webhook.topic).sort()).toEqual([...SHOPIFY_TOPICS].sort())
    expect(subscribed.every((webhook) => webhook.address === connection.webhookUrl)).toBe(true)
    expect((connection as { webhookRegistration?: Registration }).webhookRegistration).toMatchObject({
      state: 'registered',
    })
    const shown = await connectionOf(tenant.token, connection.id)
    expect(shown.webhookRegistration).toEqual({ state: 'registered', checkedAt: expect.any(String) })
    // Only the state is shown, never the platform's ids.
    expect(JSON.stringify(shown)).not.toContain(String(subscribed[0].id))
  })

  it('Shopify: registerWebhooks false subscribes nothing and shows no registration', async () => {
    const { tenant, connection, subscriptions } = await shopifyConnection({ registerWebhooks: false })
    expect(await subscriptions()).toEqual([])
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toBeUndefined()
  })

  it('Shopify: deleting the connection removes its subscriptions, and only its own', async () => {
    const shop = await simulatedShop()
    const first = await shopifyConnection({}, shop)
    const second = await shopifyConnection({}, shop)
    expect(await first.subscriptions()).toHaveLength(2 * SHOPIFY_TOPICS.length)
    await remove(first.tenant.token, first.connection.id)
    const left = await first.subscriptions()
    expect(left).toHaveLength(SHOPIFY_TOPICS.length)
    expect(left.every((webhook) => webhook.address === second.connection.webhookUrl)).toBe(true)
  })

  it('Shopify: a subscription the shop deleted is found by the cron and subscribed again', async () => {
    const { shopDomain, tenant, connection, subscriptions } = await shopifyConnection()
    const [dropped] = await subscriptions()
    await simulatorDelete(shopDomain, `/_sim/webhooks/${dropped.id}`)
    expect(await subscriptions()).toHaveLength(SHOPIFY_TOPICS.length - 1)

    await runCron(later())
    const again = await subscriptions()
    expect(again.map((webhook) => webhook.topic).sort()).toEqual([...SHOPIFY_TOPICS].sort())
    expect(again.every((webhook) => webhook.address === connection.webhookUrl)).toBe(true)
    const shown = await connectionOf(tenant.token, connection.id)
    expect(shown.webhookRegistration).toMatchObject({ state: 'registered', reregistered: 1 })

    // All present: the next check changes nothing.
    const ids = again.map((webhook) => webhook.id).sort()
    await runCron(later())
    expect((await subscriptions()).map((webhook) => webhook.id).sort()).toEqual(ids)
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration?.reregistered).toBe(1)
  })

  it('WM4: a Shopify connection subscribed before the product topics existed gets them from the cron', async () => {
    const { shopDomain, tenant, connection, subscriptions } = await shopifyConnection()
    // As registered before products/* joined the set: only the order topics, all of them present.
    const products = (await subscriptions()).filter((webhook) => webhook.topic.startsWith('products/'))
    for (const webhook of products) await simulatorDelete(shopDomain, `/_sim/webhooks/${webhook.id}`)
    const row = await env.DB.prepare('select webhook_registration as registration from connections where id = ?')
      .bind(connection.id)
      .first<{ registration: string }>()
    const registration = JSON.parse(row!.registration)
    registration.ids = registration.ids.filter((id: string) => !products.some((webhook) => String(webhook.id) === id))
    await env.DB.prepare('update connections set webhook_registration = ? where id = ?')
      .bind(JSON.stringify(registration), connection.id)
      .run()

    await runCron(later())
    const again = await subscriptions()
    expect(again.map((webhook) => webhook.topic).sort()).toEqual([...SHOPIFY_TOPICS].sort())
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toMatchObject({
      state: 'registered',
      reregistered: 1,
    })
  })

  it('Shopify: a registration that failed (no such shop yet) never fails the creation and is retried by the cron', async () => {
    const shopDomain = `${uniqueName('later')}.myshopify.com`
    const accessToken = `shpat_${crypto.randomUUID().replace(/-/g, '')}`
    const { tenant, connection } = await shopifyConnection({}, { shopDomain, accessToken })
    const failed = await connectionOf(tenant.token, connection.id)
    expect(failed.webhookRegistration).toMatchObject({ state: 'failed', error: expect.stringContaining('401') })

    await simulatorCall(shopDomain, '/_sim/shop', { accessToken, webhookSecret: WEBHOOK_SECRET })
    await runCron(later())
    const subscribed = (await simulatorCall(shopDomain, '/_sim/webhooks')).webhooks
    expect(subscribed).toHaveLength(SHOPIFY_TOPICS.length)
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toMatchObject({
      state: 'registered',
      reregistered: 1,
    })
  })

  it('WooCommerce: creating a connection creates the order, product and customer webhooks with its secret', async () => {
    const { tenant, connection, webhooks } = await wooConnection()
    const created = await webhooks()
    expect(created.map((webhook) => webhook.topic).sort()).toEqual([...WOO_TOPICS].sort())
    for (const webhook of created) {
      expect(webhook).toMatchObject({ status: 'active', delivery_url: connection.webhookUrl, secret: WOO_SECRET })
    }
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toMatchObject({
      state: 'registered',
    })
  })

  it('WooCommerce: registerWebhooks false creates none', async () => {
    const { webhooks } = await wooConnection({ registerWebhooks: false })
    expect(await webhooks()).toEqual([])
  })

  it('WooCommerce: a PATCH of the webhook secret registers the webhooks again, with the new secret', async () => {
    const { tenant, connection, webhooks } = await wooConnection()
    const before = await webhooks()
    const response = await api(`/api/v1/connections/${connection.id}`, {
      method: 'PATCH',
      token: tenant.token,
      body: { credentials: { webhookSecret: 'woo-registration-secret-2' } },
    })
    expect(response.status).toBe(200)
    const after = await webhooks()
    expect(after.map((webhook) => webhook.topic).sort()).toEqual([...WOO_TOPICS].sort())
    for (const webhook of after)
      expect(webhook).toMatchObject({ status: 'active', secret: 'woo-registration-secret-2' })
    expect(after.filter((webhook) => before.some((old) => old.id === webhook.id))).toEqual([])
  })

  it('WooCommerce: a connection made before registration existed is registered by the cron', async () => {
    const { tenant, connection, webhooks } = await wooConnection()
    // As an older connection: no registration recorded.
    await env.DB.prepare('update connections set webhook_registration = null where id = ?').bind(connection.id).run()
    const before = (await webhooks()).length
    await runCron(later())
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toMatchObject({
      state: 'registered',
    })
    expect((await webhooks()).length).toBe(before + WOO_TOPICS.length)
  })

  it('WooCommerce: a webhook the site disabled is found by the cron and registered again; deleting removes them', async () => {
    const { host, tenant, connection, webhooks } = await wooConnection()
    const [disabled] = await webhooks()
    await simulatorCall(host, `/_sim/webhooks/${disabled.id}/disable`, {})

    await runCron(later())
    const now = await webhooks()
    expect(
      now
        .filter((webhook) => webhook.status === 'active')
        .map((webhook) => webhook.topic)
        .sort()
    ).toEqual([...WOO_TOPICS].sort())
    // The old set is removed before the new one is created: no topic is delivered twice.
    expect(now).toHaveLength(WOO_TOPICS.length)
    expect(now.some((webhook) => webhook.id === disabled.id)).toBe(false)
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toMatchObject({
      state: 'registered',
      reregistered: 1,
    })

    await remove(tenant.token, connection.id)
    expect(await webhooks()).toEqual([])
  })

  it('Cartum: creating a connection subscribes order_created with the keyed URL; deleting unsubscribes it', async () => {
    const { tenant, connection, hooks } = await cartumConnection()
    expect(connection.webhookUrl).toContain('?key=')
    expect(await hooks()).toEqual([
      { id: expect.any(Number), event: 'order_created', target_url: connection.webhookUrl },
    ])
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration).toMatchObject({
      state: 'registered',
    })
    // Cartum cannot list hooks: the check keeps what was registered and costs no call.
    await runCron(later())
    expect(await hooks()).toHaveLength(1)
    expect((await connectionOf(tenant.token, connection.id)).webhookRegistration?.reregistered).toBeUndefined()

    await remove(tenant.token, connection.id)
    expect(await hooks()).toEqual([])
  })

  it('Cartum: registerWebhooks false subscribes nothing', async () => {
    const { hooks } = await cartumConnection({ registerWebhooks: false })
    expect(await hooks()).toEqual([])
  })
})
