/**
 * A WooCommerce site's webhooks (REST v3 `/webhooks`), as the v1 controller and the data store
 * keep them: create (`topic` and `delivery_url` required, an invalid topic is 400
 * `woocommerce_rest_webhook_invalid_topic`, a missing secret is generated), list with `include`
 * and `status` (default `all`), read, update, and delete only with `force=true` (else 501
 * `woocommerce_rest_trash_not_supported`). The secret is kept but never shown (`context=view`).
 * Statuses `active|paused|disabled`; the simulator's control route disables one as WooCommerce
 * does after repeated failed deliveries. No ping is sent on create.
 */
import type { Hono } from 'hono'

type Json = Record<string, any>

export type WooWebhookStore = { webhooks: Map<string, Json>; nextWebhookId: number }

const WEBHOOK_TOPIC = /^(coupon|customer|order|product)\.(created|updated|deleted|restored)$|^product\.published$/
const WEBHOOK_STATUSES = ['active', 'paused', 'disabled']
const gmt = (date: Date) => date.toISOString().slice(0, 19)

function wooError(code: string, message: string, status: number) {
  return Response.json({ code, message, data: { status } }, { status })
}

/** A webhook as the REST API shows it (`context=view`: no secret). */
export function viewWebhook(webhook: Json): Json {
  const { secret: _secret, failure_count: _failures, ...view } = webhook
  return { ...view, date_created: view.date_created_gmt, date_modified: view.date_modified_gmt }
}

export function wooWebhookRoutes(
  app: Hono,
  api: string,
  siteOf: (host: string) => WooWebhookStore,
  paged: (url: URL, host: string, path: string, items: Json[]) => Response
) {
  const invalidId = () => wooError('woocommerce_rest_webhook_invalid_id', 'Invalid ID.', 404)

  app.get(`${api}/webhooks`, (c) => {
    const url = new URL(c.req.url)
    const include = url.searchParams.get('include')?.split(',')
    const status = url.searchParams.get('status') ?? 'all'
    const webhooks = [...siteOf(url.host).webhooks.values()].filter(
      (webhook) => (!include || include.includes(String(webhook.id))) && (status === 'all' || webhook.status === status)
    )
    return paged(url, url.host, `${api}/webhooks`, webhooks.map(viewWebhook))
  })

  app.post(`${api}/webhooks`, async (c) => {
    const site = siteOf(new URL(c.req.url).host)
    const body = (await c.req.json()) as Json
    const missing = ['topic', 'delivery_url'].filter((field) => body[field] === undefined)
    if (missing.length)
      return wooError('rest_missing_callback_param', `Missing parameter(s): ${missing.join(', ')}`, 400)
    if (typeof body.topic !== 'string' || !WEBHOOK_TOPIC.test(body.topic))
      return wooError('woocommerce_rest_webhook_invalid_topic', 'Webhook topic is required and must be valid.', 400)
    if (body.status !== undefined && !WEBHOOK_STATUSES.includes(body.status))
      return wooError('rest_invalid_param', 'Invalid parameter(s): status', 400)
    const now = gmt(new Date())
    const [resource, event] = body.topic.split('.')
    const webhook: Json = {
      id: site.nextWebhookId++,
      name: body.name ?? `Webhook created on ${now}`,
      status: body.status ?? 'active',
      topic: body.topic,
      resource,
      event,
      hooks: [`woocommerce_${event}_${resource}`],
      delivery_url: body.delivery_url,
      // Without a secret WooCommerce generates one (50 characters).
      secret: body.secret ?? crypto.randomUUID().replace(/-/g, '').padEnd(50, 'x'),
      failure_count: 0,
      date_created_gmt: now,
      date_modified_gmt: now,
    }
    site.webhooks.set(String(webhook.id), webhook)
    return c.json(viewWebhook(webhook), 201, { location: `${api}/webhooks/${webhook.id}` })
  })

  app.get(`${api}/webhooks/:id`, (c) => {
    const webhook = siteOf(new URL(c.req.url).host).webhooks.get(c.req.param('id'))
    return webhook ? c.json(viewWebhook(webhook)) : invalidId()
  })

  app.put(`${api}/webhooks/:id`, async (c) => {
    const webhook = siteOf(new URL(c.req.url).host).webhooks.get(c.req.param('id'))
    if (!webhook) return invalidId()
    const body = (await c.req.json()) as Json
    if (body.status !== undefined && !WEBHOOK_STATUSES.includes(body.status))
      return wooError('rest_invalid_param', 'Invalid parameter(s): status', 400)
    for (const field of ['name', 'status', 'delivery_url', 'secret']) {
      if (body[field] !== undefined) webhook[field] = body[field]
    }
    if (body.status === 'active') webhook.failure_count = 0
    webhook.date_modified_gmt = gmt(new Date())
    return c.json(viewWebhook(webhook))
  })

  app.delete(`${api}/webhooks/:id`, (c) => {
    const url = new URL(c.req.url)
    const site = siteOf(url.host)
    const webhook = site.webhooks.get(c.req.param('id'))
    if (!webhook) return invalidId()
    if (!['true', '1'].includes(url.searchParams.get('force') ?? ''))
      return wooError('woocommerce_rest_trash_not_supported', 'Webhooks do not support trashing.', 501)
    site.webhooks.delete(c.req.param('id'))
    return c.json(viewWebhook(webhook))
  })
}

/** `POST /_sim/webhooks/:id/disable`: what WooCommerce does after more than 5 failed deliveries in a row. */
export function disableWooWebhook(site: WooWebhookStore, id: string): boolean {
  const webhook = site.webhooks.get(id)
  if (!webhook) return false
  Object.assign(webhook, { status: 'disabled', failure_count: 6, date_modified_gmt: gmt(new Date()) })
  return true
}
