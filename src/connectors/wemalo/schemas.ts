/**
 * Wemalo's (wemalo-connect REST API) connection fields (§6) and the shapes Kontor reads from it.
 * Wemalo answers JSON with `"Success": true`; ids come as numbers or strings, so both are read.
 */
import { z } from 'zod'

export const wemaloCredentialsSchema = z.object({
  /** The API token Wemalo generates for the account; sent as `Authorization: JWT <token>`. */
  token: z.string().min(1),
  /**
   * Wemalo signs no callback: the registered URL carries this secret (`?key=…`), and it is also the
   * `token` registered with each webhook, which Wemalo echoes in its calls. Generated when absent.
   */
  webhookSecret: z.string().min(16),
})
export type WemaloCredentials = z.infer<typeof wemaloCredentialsSchema>

export const wemaloSettingsSchema = z.object({
  /** `meta.dispatcherProfile`: the match id of a Wemalo shipping profile (GET /goodsOrder/profiles). */
  dispatcherProfile: z.string().min(1).optional(),
  /** Register `status_update` and `trackingnumber_added` with `POST /webhook/:event` on connect. */
  registerWebhooks: z.boolean().default(true),
  /** The address Wemalo mails when it drops a webhook after 10 failed deliveries (its `email` field). */
  webhookEmail: z.string().email().optional(),
  /** VAT included in the line totals, in percent; when set, each position carries `tax` in cents. */
  taxRate: z.number().min(0).max(100).optional(),
  /** How often the cron polls sent packages (the fallback for lost webhooks), in minutes. */
  pollMinutes: z.number().int().min(1).max(1440).default(5),
  /** How long a hand-over may stay open before its goods order status is polled, in minutes. */
  openAfterMinutes: z.number().int().min(1).max(10_080).default(60),
  /** `productGroup` of every product Kontor creates (required by `POST /product/add`). */
  productGroup: z.string().min(1).default('default'),
  /** The unit Wemalo reads `grossWeight` in: the apidoc names none (the WooCommerce plugin sends grams). */
  weightUnit: z.enum(['g', 'kg']).default('g'),
  baseUrl: z.string().url().optional(),
})
export type WemaloSettings = z.infer<typeof wemaloSettingsSchema>

const id = z.union([z.string(), z.number()]).transform(String)
const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? null : String(value)))

/** `GET /goodsOrder/getStatus/:id`. */
export const wemaloStatusSchema = z
  .object({
    statusId: text,
    statusName: z.string(),
    reasonPartiallyReserved: text,
    blockReason: text,
    id: id.nullish(),
    orderNumber: text,
  })
  .passthrough()
export type WemaloStatus = z.infer<typeof wemaloStatusSchema>

/** One entry of `GET /goodsOrder/packages/sent/`. */
export const wemaloBookingSchema = z
  .object({
    historyId: id,
    goodsOrderId: id.nullish(),
    externalGoodsOrderId: text,
    trackingNumber: text,
    dispatcherName: text,
    dispatcherProduct: text,
    orderStatusId: text,
  })
  .passthrough()
export type WemaloBooking = z.infer<typeof wemaloBookingSchema>

export const wemaloSentPageSchema = z
  .object({
    page: z.coerce.number().optional(),
    additionalPage: z.boolean().optional(),
    bookings: z.array(z.unknown()).default([]),
  })
  .passthrough()

/** `GET /goodsOrder/packages?externalOrderId=`. */
export const wemaloPackagesSchema = z
  .object({
    packages: z
      .array(
        z.object({ id: id, trackingNumber: text, profileName: text, isHandedOver: z.boolean().nullish() }).passthrough()
      )
      .default([]),
  })
  .passthrough()

/** `GET /goodsOrder/package/:parcelId/trackingNumber`. */
export const wemaloTrackingSchema = z.object({ trackingNumber: text, profileName: text, carrier: text }).passthrough()

/** `GET /webhook`. */
export const wemaloHooksSchema = z
  .object({
    hooks: z
      .array(z.object({ event: z.string(), payload: z.string().nullish(), token: z.string().nullish() }).passthrough())
      .default([]),
  })
  .passthrough()

/** One entry of `GET /returns/booked` (RT1): a return booking not yet acknowledged. */
export const wemaloReturnBookingSchema = z
  .object({
    id: id,
    externalProductId: text,
    productName: text,
    bookingDate: text,
    reasonCode: text,
    serialNumber: text,
    goodsReceiptExternalId: text,
    goodsOrderExternalId: text,
    goodsOrderNumber: text,
    readyForShipment: z.boolean().nullish(),
    /** Not in the apidoc; Wemalo's own shop plugin receives it with its return callback. */
    quantity: z.coerce.number().int().positive().nullish(),
  })
  .passthrough()
export type WemaloReturnBooking = z.infer<typeof wemaloReturnBookingSchema>
