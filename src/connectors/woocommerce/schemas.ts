/**
 * WooCommerce's connection fields (§6) and the parts of its REST v3 resources Kontor reads.
 * Lenient on purpose: plugins add fields, and numbers arrive as strings or numbers.
 */
import { z } from 'zod'

export const wooCredentialsSchema = z.object({
  siteUrl: z
    .string()
    .url()
    .transform((url) => url.replace(/\/+$/, '')),
  consumerKey: z.string().min(1),
  consumerSecret: z.string().min(1),
  /** The webhook's own secret, not the consumer secret (WooCommerce signs with this one). */
  webhookSecret: z.string().min(1),
})
export type WooCredentials = z.infer<typeof wooCredentialsSchema>

export const wooSettingsSchema = z.object({
  productMatch: z.enum(['name', 'sku', 'id']).default('sku'),
  /** Also write tracking into the `_wc_shipment_tracking_items` meta (Shipment Tracking extensions). */
  shipmentTracking: z.boolean().default(false),
  /** Create Kontor's order, product and customer webhooks through the REST API on connect (and keep them active). */
  registerWebhooks: z.boolean().default(true),
  /** How often the cron polls `modified_after`, in minutes: WooCommerce never retries a webhook. */
  pollMinutes: z.number().int().min(1).max(1440).default(5),
  /**
   * The store's units (WooCommerce → Settings → Products: `woocommerce_weight_unit`,
   * `woocommerce_dimension_unit`); product weights and sizes carry no unit on the wire.
   */
  weightUnit: z.enum(['kg', 'g', 'lbs', 'oz']).default('kg'),
  dimensionUnit: z.enum(['m', 'cm', 'mm', 'in', 'yd']).default('cm'),
  /** ST3: write the warehouse's sellable stock here (when routed to a warehouse). */
  stockSync: z.boolean().default(true),
  /** ST2: units held back from this channel's figure. */
  stockBuffer: z.number().int().min(0).default(0),
  baseUrl: z.string().url().optional(),
})
export type WooSettings = z.infer<typeof wooSettingsSchema>

const id = z.union([z.string(), z.number()]).transform(String)
const text = z.string().nullish()
const number = z.union([z.string(), z.number()]).nullish()

export const wooAddressSchema = z
  .object({
    first_name: text,
    last_name: text,
    company: text,
    address_1: text,
    address_2: text,
    city: text,
    state: text,
    postcode: text,
    country: text,
    email: text,
    phone: text,
  })
  .passthrough()

export const wooOrderSchema = z
  .object({
    id,
    number: z.union([z.string(), z.number()]).nullish(),
    status: z.string(),
    currency: z.string(),
    date_created_gmt: z.string().nullish(),
    date_created: z.string().nullish(),
    date_modified_gmt: z.string().nullish(),
    date_modified: z.string().nullish(),
    total: number,
    shipping_total: number,
    customer_id: id.nullish(),
    billing: wooAddressSchema.nullish(),
    shipping: wooAddressSchema.nullish(),
    line_items: z
      .array(
        z
          .object({
            id: id.nullish(),
            name: text,
            product_id: id.nullish(),
            variation_id: id.nullish(),
            quantity: z.coerce.number(),
            total: number,
            sku: text,
            price: number,
          })
          .passthrough()
      )
      .default([]),
    meta_data: z.array(z.object({ key: z.string(), value: z.unknown() }).passthrough()).default([]),
  })
  .passthrough()
export type WooOrder = z.infer<typeof wooOrderSchema>

export const wooCategorySchema = z.object({ id, name: z.string(), parent: id.default('0') }).passthrough()
export type WooCategory = z.infer<typeof wooCategorySchema>

export const wooProductSchema = z
  .object({
    id,
    name: z.string(),
    description: text,
    short_description: text,
    sku: text,
    /** GTIN, UPC, EAN or ISBN (core field since WooCommerce 9.2). */
    global_unique_id: text,
    /** `simple`, `variable` (its variations are the articles), `variation` (read as a product), … */
    type: text,
    /** The variable product a `variation` belongs to. */
    parent_id: id.nullish(),
    categories: z.array(z.object({ id, name: z.string() }).passthrough()).default([]),
    weight: text,
    dimensions: z.object({ length: text, width: text, height: text }).passthrough().nullish(),
  })
  .passthrough()
export type WooProduct = z.infer<typeof wooProductSchema>

/**
 * A variation (`GET /products/{id}/variations`): its own SKU, GTIN, weight and sizes (WooCommerce
 * fills in the parent's weight and sizes where the variation has none), and the attribute
 * options that tell it apart. `name` exists only in newer WooCommerce versions.
 */
export const wooVariationSchema = z
  .object({
    id,
    name: text,
    description: text,
    sku: text,
    global_unique_id: text,
    date_modified_gmt: text,
    weight: text,
    dimensions: z.object({ length: text, width: text, height: text }).passthrough().nullish(),
    attributes: z.array(z.object({ name: text, option: text }).passthrough()).default([]),
  })
  .passthrough()
export type WooVariation = z.infer<typeof wooVariationSchema>

export const wooCustomerSchema = z
  .object({
    id,
    email: text,
    first_name: text,
    last_name: text,
    billing: wooAddressSchema.nullish(),
    shipping: wooAddressSchema.nullish(),
  })
  .passthrough()
export type WooCustomer = z.infer<typeof wooCustomerSchema>
