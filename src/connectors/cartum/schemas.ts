/**
 * Cartum's (Horoshop API) connection fields (§6), the status map of CA2, and the order shape of
 * `orders/get` and the `order_created` webhook. Every call answers HTTP 200 with an envelope
 * `{status, response}`; the status says whether it worked.
 */
import { z } from 'zod'
import { ORDER_STATUSES } from '../../core/model'

export const cartumCredentialsSchema = z.object({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "the shop's domain, e.g. shop.example.com"),
  login: z.string().min(1),
  password: z.string().min(1),
  /** Cartum signs no webhook: the registered URL carries this secret (`?key=…`). Generated when absent. */
  webhookSecret: z.string().min(16),
})
export type CartumCredentials = z.infer<typeof cartumCredentialsSchema>

/** CA2: Kontor status → Cartum status id, used both ways. Built-in ids: 1 New, 2 In processing, 3 Delivered, 4 Not delivered, 6 Delivering. */
const DEFAULT_STATUS_MAP = { new: 1, processing: 2, shipped: 6, cancelled: 4 }

export const cartumSettingsSchema = z.object({
  statusMap: z.partialRecord(z.enum(ORDER_STATUSES), z.number().int().positive()).default(DEFAULT_STATUS_MAP),
  /** The Cartum status id that means delivered; CA1 leaves those orders out of the initial import. */
  deliveredStatus: z.number().int().positive().default(3),
  productMatch: z.enum(['name', 'sku', 'id']).default('sku'),
  /** Subscribe `order_created` with `hooks/subscribe` on connect. */
  registerWebhooks: z.boolean().default(true),
  /** Cartum has no "modified since" filter: each poll re-reads the orders created in these days. */
  pollDays: z.number().int().min(1).max(62).default(14),
  pollMinutes: z.number().int().min(1).max(1440).default(5),
  baseUrl: z.string().url().optional(),
})
export type CartumSettings = z.infer<typeof cartumSettingsSchema>

const number = z.union([z.string(), z.number()])
const text = z.string().nullish()

export const cartumOrderSchema = z
  .object({
    order_id: number.transform(String),
    user: number.nullish(),
    delivery_name: text,
    delivery_email: text,
    delivery_phone: text,
    delivery_city: text,
    delivery_address: text,
    delivery_type: z.object({ id: number.nullish(), title: text }).passthrough().nullish(),
    delivery_price: number.nullish(),
    total_sum: number.nullish(),
    total_default: number.nullish(),
    stat_status: z.coerce.number(),
    stat_created: z.string(),
    currency: z.string(),
    products: z
      .array(
        z
          .object({
            title: z.string(),
            article: text,
            price: number.nullish(),
            quantity: z.coerce.number(),
            total_price: number.nullish(),
          })
          .passthrough()
      )
      .default([]),
  })
  .passthrough()
export type CartumOrder = z.infer<typeof cartumOrderSchema>

export const cartumEnvelopeSchema = z.object({ status: z.string(), response: z.unknown().optional() }).passthrough()
