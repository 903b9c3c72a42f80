/**
 * Shopify's connection fields (§6) and the parts of its REST order resource Kontor reads.
 * Payload schemas are lenient (unknown fields pass, most fields may be null) because Shopify
 * adds fields every version and trims them with `fields`/`include_fields`.
 */
import { z } from 'zod'
import { ORDER_STATUSES } from '../../core/model'

export const shopifyCredentialsSchema = z.object({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "the shop's *.myshopify.com domain"),
  accessToken: z.string().min(1),
  webhookSecret: z.string().min(1),
  previousWebhookSecret: z.string().min(1).optional(),
})
export type ShopifyCredentials = z.infer<typeof shopifyCredentialsSchema>

const status = z.enum(ORDER_STATUSES)

export const shopifySettingsSchema = z.object({
  apiVersion: z
    .string()
    .regex(/^\d{4}-\d{2}$/, 'a version such as 2025-10')
    .default('2025-10'),
  /** SH3: one status, or a status per order type (Shopify's `source_name`) with a `default`. */
  initialStatus: z.union([status, z.record(z.string(), status)]).default('new'),
  productMatch: z.enum(['name', 'sku', 'id']).default('sku'),
  fulfilmentSync: z.boolean().default(false),
  /** Subscribe Kontor's order webhooks through the Admin API on connect (and keep them subscribed). */
  registerWebhooks: z.boolean().default(true),
  /** How often the cron reconciles against the API, in minutes. */
  pollMinutes: z.number().int().min(1).max(1440).default(5),
  /** ST3: the location (id or gid) whose inventory is the warehouse's stock. */
  stockLocationId: z.string().trim().min(1).optional(),
  /** ST3: write the warehouse's sellable stock here (when routed to a warehouse). */
  stockSync: z.boolean().default(true),
  /** ST2: units held back from this channel's figure. */
  stockBuffer: z.number().int().min(0).default(0),
  baseUrl: z.string().url().optional(),
})
export type ShopifySettings = z.infer<typeof shopifySettingsSchema>

// The order schemas declare what the mapper reads; zod drops every other field of Shopify's
// (over a hundred per order), which copying through `.passthrough()` cost a third of the parse.

/** Ids arrive as numbers (parsed losslessly to strings when beyond 2^53) or strings. */
const id = z.union([z.string(), z.number()]).transform(String)
const text = z.string().nullish()
const money = z.union([z.string(), z.number()]).nullish()

export const shopifyAddressSchema = z.object({
  first_name: text,
  last_name: text,
  name: text,
  company: text,
  address1: text,
  address2: text,
  city: text,
  zip: text,
  province: text,
  province_code: text,
  country: text,
  country_code: text,
  phone: text,
})

export const shopifyOrderSchema = z.object({
  id,
  name: z.string().nullish(),
  order_number: z.union([z.string(), z.number()]).nullish(),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  currency: z.string(),
  email: text,
  phone: text,
  contact_email: text,
  financial_status: text,
  fulfillment_status: text,
  cancelled_at: text,
  closed_at: text,
  source_name: text,
  /** The order's payment gateways, first one first (PL3); `gateway` is the deprecated single one. */
  payment_gateway_names: z.array(z.string()).nullish(),
  gateway: text,
  total_price: money,
  customer: z
    .object({
      id: id.nullish(),
      email: text,
      phone: text,
      first_name: text,
      last_name: text,
      default_address: shopifyAddressSchema.nullish(),
    })
    .nullish(),
  billing_address: shopifyAddressSchema.nullish(),
  shipping_address: shopifyAddressSchema.nullish(),
  line_items: z
    .array(
      z.object({
        id: id.nullish(),
        product_id: id.nullish(),
        variant_id: id.nullish(),
        sku: text,
        name: text,
        title: text,
        variant_title: text,
        vendor: text,
        quantity: z.number().int(),
        current_quantity: z.number().int().nullish(),
        price: money,
      })
    )
    .default([]),
  shipping_lines: z
    .array(z.object({ title: text, code: text, source: text, carrier_identifier: text, price: money }))
    .default([]),
  /** Refunds with the units they took back per line (`refund_line_items[].line_item_id`, `quantity`). */
  refunds: z
    .array(
      z.object({
        refund_line_items: z
          .array(z.object({ line_item_id: id.nullish(), quantity: z.number().int() }))
          .nullish()
          .transform((items) => items ?? []),
      })
    )
    .nullish()
    .transform((refunds) => refunds ?? []),
  fulfillments: z
    .array(
      z.object({
        tracking_number: text,
        tracking_company: text,
        tracking_url: text,
        tracking_numbers: z.array(z.string()).nullish(),
      })
    )
    .default([]),
})
export type ShopifyOrder = z.infer<typeof shopifyOrderSchema>

/** orders/edited carries an `order_edit`, not the order: the order is fetched again. */
export const shopifyOrderEditSchema = z.object({ order_edit: z.object({ order_id: id }).passthrough() })

/**
 * A REST product (`products.json`, `products/{id}.json`, the `products/*` webhook body): each
 * variant is a sellable article. `weight` counts in `weight_unit` (g, kg, oz, lb); `grams` is the
 * older figure in grams. REST serves at most 100 variants of a product.
 */
export const shopifyProductSchema = z.object({
  id,
  title: z.string(),
  updated_at: text,
  variants: z
    .array(
      z.object({
        id,
        title: text,
        sku: text,
        barcode: text,
        weight: z.union([z.number(), z.string()]).nullish(),
        weight_unit: text,
        grams: z.number().nullish(),
      })
    )
    .default([]),
})
export type ShopifyProduct = z.infer<typeof shopifyProductSchema>
