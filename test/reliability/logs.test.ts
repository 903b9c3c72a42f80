/**
 * Everything the Worker logs (console in workerd: the fetch handler, the queue consumers, the
 * cron) while it is made to fail in the ways most likely to put a secret or a customer into a log
 * line: wrong credentials at every source platform (the 401s become logged queue failures), a hub
 * endpoint answering 500 (its delivery carries the customer), a write-back failing, refused and
 * accepted webhooks, the dashboard's sign-in with right and wrong tokens. Every line is searched
 * for every secret used (access tokens, webhook secrets, API keys, passwords, ADMIN_TOKEN,
 * ENCRYPTION_KEY, tenant tokens, whsec_ secrets) and for the customers' e-mails and phones.
 */
import { describe, expect, it } from 'vitest'
import { api, apiJson, createConnection, createTenant, runCron, simulatorCall, uniqueName, waitFor } from '../helpers'
import { deliverWebhook, orderJson, simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'
import { billbeeOrderPayload } from '../simulators/billbee'
import { plentyOrderPayload } from '../simulators/plentymarkets'
import { wooOrderPayload } from '../simulators/woocommerce'
import { cartumOrderPayload } from '../simulators/cartum'
import { ADMIN_TOKEN, captureLogs, expectNothingSecretLogged, logLines, report, rows, secret } from './support'

captureLogs()

const failedJob = (jobId: string) =>
  waitFor(
    async () => {
      const [job] = await rows<{ status: string }>('select status from sync_jobs where id = ?', jobId)
      return job && job.status !== 'running' ? job : null
    },
    { timeoutMs: 40_000, what: `job ${jobId}` }
  )

describe('what the Worker logs', () => {
  it('wrong credentials at every source platform: the failures are logged without the secrets', async ({ task }) => {
    const tenant = await createTenant('EUR')
    secret(tenant.token)
    const jobs: string[] = []

    const shop = await simulatedShop()
    secret(shop.accessToken)
    await simulatorCall(shop.shopDomain, '/_sim/orders', { orders: [{ id: 7_400_000_000_001 }] })
    const wrongShopify = secret(`shpat_${crypto.randomUUID().replace(/-/g, '')}`)
    jobs.push(
      (
        await createConnection(tenant.token, {
          platform: 'shopify',
          credentials: {
            shopDomain: shop.shopDomain,
            accessToken: wrongShopify,
            webhookSecret: secret(WEBHOOK_SECRET),
          },
        })
      ).backfillJobId!
    )

    const wooHost = `${uniqueName('site')}.woo.example`
    await simulatorCall(wooHost, '/_sim/site', {
      consumerKey: 'ck_right',
      consumerSecret: secret(`cs_${crypto.randomUUID()}`),
      webhookSecret: secret(`woo-${crypto.randomUUID()}`),
    })
    await simulatorCall(wooHost, '/_sim/orders', { orders: [wooOrderPayload({ id: 61_001 })] })
    jobs.push(
      (
        await createConnection(tenant.token, {
          platform: 'woocommerce',
          credentials: {
            siteUrl: `https://${wooHost}`,
            consumerKey: secret(`ck_${crypto.randomUUID()}`),
            consumerSecret: secret(`cs_${crypto.randomUUID()}`),
            webhookSecret: secret(`woo-${crypto.randomUUID()}`),
          },
        })
      ).backfillJobId!
    )

    const cartumHost = `${uniqueName('shop')}.cartum.example`
    await simulatorCall(cartumHost, '/_sim/shop', { login: 'api', password: secret(`right-${crypto.randomUUID()}`) })
    await simulatorCall(cartumHost, '/_sim/orders', { orders: [cartumOrderPayload({ order_id: 71_001 })] })
    const cartum = await createConnection(tenant.token, {
      platform: 'cartum',
      credentials: { domain: cartumHost, login: 'api', password: secret(`wrong-${crypto.randomUUID()}`) },
    })
    secret(cartum.webhookSecret)
    jobs.push(cartum.backfillJobId!)

    const plentyHost = `${uniqueName('p')}.plentymarkets-cloud01.com`
    await simulatorCall(plentyHost, '/_sim/system', {
      username: 'kontor',
      password: secret(`right-${crypto.randomUUID()}`),
    })
    await simulatorCall(plentyHost, '/_sim/orders', { orders: [plentyOrderPayload({ id: 81_001 })] })
    jobs.push(
      (
        await createConnection(tenant.token, {
          platform: 'plentymarkets',
          credentials: {
            url: `https://${plentyHost}`,
            username: 'kontor',
            password: secret(`wrong-${crypto.randomUUID()}`),
            plentyId: 1000,
            warehouseId: 1,
            storageLocationId: 0,
          },
        })
      ).backfillJobId!
    )

    const apiKey = secret(`bbkey-${crypto.randomUUID()}`)
    await fetch(`https://app.billbee.io/_sim/account?account=${apiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiKey,
        username: 'shop@example.com',
        apiPassword: secret(`right-${crypto.randomUUID()}`),
      }),
    })
    await fetch(`https://app.billbee.io/_sim/orders?account=${apiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orders: [billbeeOrderPayload({ BillBeeOrderId: 91_001 })] }),
    })
    jobs.push(
      (
        await createConnection(tenant.token, {
          platform: 'billbee',
          credentials: { username: 'shop@example.com', apiPassword: secret(`wrong-${crypto.randomUUID()}`), apiKey },
          settings: { ordersTag: 'kontor' },
        })
      ).backfillJobId!
    )

    const outcomes = await Promise.all(jobs.map(failedJob))
    expect(outcomes.map((job) => job.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed'])
    const failures = logLines().filter((line) => line.includes('queue message failed'))
    expect(failures.length).toBeGreaterThanOrEqual(5)
    report(task, {
      area: 'logs',
      what: 'wrong credentials at Shopify, WooCommerce, Cartum, plentymarkets and Billbee: backfills fail and are logged',
      count: 5,
      unit: 'failed backfills',
      held: `${failures.length} failure lines logged, each job failed with a dead letter`,
    })
  })

  it('imports with customers, a hub endpoint answering 500, refused webhooks and dashboard sign-ins', async ({
    task,
  }) => {
    const shop = await simulatedShop()
    secret(shop.accessToken)
    const tenant = await createTenant('USD')
    secret(tenant.token)
    const host = `${uniqueName('r')}.hooks.test`
    const endpoint = await apiJson('/api/v1/webhook-endpoints', {
      token: tenant.token,
      body: { url: `https://${host}/kontor`, events: ['*'] },
    })
    secret(endpoint.secret)
    await simulatorCall(host, '/_sim/answers', { answers: [{ status: 500 }, { status: 500 }] })
    const connection = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    })
    for (let index = 0; index < 5; index++) {
      const body = orderJson({ id: 7_500_000_000_000 + index })
      expect((await deliverWebhook(connection.id, shop.shopDomain, body)).status).toBe(202)
      // Refused: a signature made with the tenant's token, and a body changed after signing.
      expect((await deliverWebhook(connection.id, shop.shopDomain, body, { secret: tenant.token })).status).toBe(401)
    }
    await waitFor(
      async () => {
        const received = await simulatorCall(host, '/_sim/received')
        return received.filter((delivery: { status: number }) => delivery.status === 204).length >= 5
      },
      { what: 'hub deliveries after two 500s', timeoutMs: 30_000 }
    )
    const [{ n: customers }] = await rows<{ n: number }>(
      'select count(*) as n from customers where tenant_id = ? and email is not null',
      tenant.id
    )
    expect(customers).toBeGreaterThan(0)
    for (const token of [ADMIN_TOKEN, tenant.token, 'kt_wrong-token-for-the-dashboard']) {
      const response = await api('/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://kontor.test' },
        rawBody: new URLSearchParams({ token }).toString(),
      })
      expect(response.status).toBeLessThan(500)
    }
    await runCron()
    report(task, {
      area: 'logs',
      what: 'imports of 5 orders with customers, hub endpoint answering 500 twice, 5 refused webhooks, 3 dashboard sign-ins, one cron run',
      count: 5,
      unit: 'orders',
      held: 'all delivered after the 500s',
    })
  })

  it('no secret, e-mail or phone in anything logged', async ({ task }) => {
    await expectNothingSecretLogged(task, 'failure scenarios')
  })
})
