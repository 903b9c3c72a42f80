/**
 * Shopify's mandatory compliance webhooks (customers/data_request, customers/redact, shop/redact):
 * verified like every other webhook, then read here into a privacy request that
 * src/import/privacy.ts carries out. Payloads per shopify.dev "Privacy law compliance":
 * `{shop_id, shop_domain, customer: {id, email, phone}, orders_to_redact: […]}`,
 * `{…, orders_requested: […], data_request: {id}}` and `{shop_id, shop_domain}`.
 */
import { z } from 'zod'
import { FinalError } from '../../core/errors'
import type { PrivacyRequest } from '../../core/model'

export const SHOPIFY_PRIVACY_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact']

const id = z.union([z.string(), z.number()]).transform(String)

const payloadSchema = z
  .object({
    shop_domain: z.string().nullish(),
    customer: z
      .object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() })
      .passthrough()
      .nullish(),
    orders_to_redact: z.array(id).nullish(),
    orders_requested: z.array(id).nullish(),
    data_request: z.object({ id: id.nullish() }).passthrough().nullish(),
  })
  .passthrough()

export function shopifyPrivacyRequest(topic: string, payload: unknown): PrivacyRequest {
  const parsed = payloadSchema.safeParse(payload)
  if (!parsed.success)
    throw new FinalError(
      `unreadable ${topic} payload: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`
    )
  const body = parsed.data
  const customer = body.customer
    ? { email: body.customer.email ?? null, phone: body.customer.phone ?? null, externalId: body.customer.id ?? null }
    : null
  if (topic === 'shop/redact')
    return { kind: 'privacy', action: 'shop_redact', customer: null, orderExternalIds: [], requestId: null }
  if (!customer || (!customer.email && !customer.phone && !customer.externalId))
    throw new FinalError(`${topic} names no customer`)
  if (topic === 'customers/redact')
    return {
      kind: 'privacy',
      action: 'redact',
      customer,
      orderExternalIds: body.orders_to_redact ?? [],
      requestId: null,
    }
  return {
    kind: 'privacy',
    action: 'data_request',
    customer,
    orderExternalIds: body.orders_requested ?? [],
    requestId: body.data_request?.id ?? null,
  }
}
