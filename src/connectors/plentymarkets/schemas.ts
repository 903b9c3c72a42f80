/**
 * plentymarkets' connection fields (PM1, §6), its status settings, and the parts of the order
 * resource Kontor reads. plenty's JSON is loose (ids as strings or numbers, statuses as decimal
 * numbers), so parsing is lenient.
 */
import { z } from 'zod'

/** A plenty order status: a decimal number such as 5, 5.1 or 6.2. */
const statusId = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d{1,4})?$/)
      .transform(Number),
  ])
  .pipe(z.number().positive())

export const plentyCredentialsSchema = z.object({
  /** The REST endpoint's host, e.g. https://p12345.my.plentysystems.com (Setup » Settings » API » Data). */
  url: z
    .string()
    .url()
    .transform((url) => url.replace(/\/+$/, '').replace(/\/rest$/, '')),
  username: z.string().min(1),
  password: z.string().min(1),
  plentyId: z.coerce.number().int().positive(),
  warehouseId: z.coerce.number().int().positive(),
  storageLocationId: z.coerce.number().int().nonnegative(),
})
export type PlentyCredentials = z.infer<typeof plentyCredentialsSchema>

export const plentySettingsSchema = z.object({
  /** PM2: orders in this status are imported. */
  openStatus: statusId.default(5),
  /** PM3: set after the hand-over. */
  handedOverStatus: statusId.default(5.1),
  /** PM4. */
  addressErrorStatus: statusId.default(6.2),
  stockErrorStatus: statusId.default(6.3),
  /** PM5: cancelled orders (status 8) are fetched; 8.8 once the cancellation is handed over. */
  cancelledStatus: statusId.default(8),
  cancelHandedOverStatus: statusId.default(8.8),
  /**
   * PM5: set, with an order note, when the warehouse refused a cancellation. Never 8.8; by
   * default 5.1 (handled externally), since the order goes on being processed.
   */
  cancelRefusedStatus: statusId.default(5.1),
  /** PM6: the seed's "9.0.1" is not a number plenty accepts (statusId has up to 4 decimals); 9.01 stands for it. */
  returnStatus: statusId.default(9.01),
  /** PM7: the package id sent with a shipping package. */
  packageId: z.number().int().positive().default(1),
  productMatch: z.enum(['name', 'sku', 'id']).default('sku'),
  pollMinutes: z.number().int().min(1).max(1440).default(5),
  baseUrl: z.string().url().optional(),
})
export type PlentySettings = z.infer<typeof plentySettingsSchema>

const num = z.union([z.number(), z.string()]).transform(Number)
const text = z.string().nullish()

export const plentyAddressSchema = z
  .object({
    id: num,
    name1: text,
    name2: text,
    name3: text,
    address1: text,
    address2: text,
    address3: text,
    postalCode: text,
    town: text,
    countryId: num.nullish(),
    email: text,
    phone: text,
    isPackstation: z.boolean().nullish(),
    isPostfiliale: z.boolean().nullish(),
    options: z
      .array(z.object({ typeId: num, value: z.union([z.string(), z.number()]).nullish() }).passthrough())
      .nullish(),
  })
  .passthrough()
export type PlentyAddress = z.infer<typeof plentyAddressSchema>

export const plentyOrderSchema = z
  .object({
    id: num.transform(String),
    typeId: num.nullish(),
    plentyId: num.nullish(),
    statusId: num,
    createdAt: z.string(),
    updatedAt: z.string().nullish(),
    amounts: z
      .array(
        z
          .object({
            isSystemCurrency: z.boolean().nullish(),
            currency: z.string(),
            invoiceTotal: num.nullish(),
            grossTotal: num.nullish(),
          })
          .passthrough()
      )
      .default([]),
    properties: z
      .array(z.object({ typeId: num, value: z.union([z.string(), z.number()]).nullish() }).passthrough())
      .default([]),
    addressRelations: z.array(z.object({ typeId: num, addressId: num }).passthrough()).default([]),
    addresses: z.array(plentyAddressSchema).nullish(),
    orderItems: z
      .array(
        z
          .object({
            id: num.transform(String),
            typeId: num,
            itemVariationId: num.nullish(),
            quantity: num,
            orderItemName: z.string().nullish(),
            amounts: z
              .array(z.object({ isSystemCurrency: z.boolean().nullish(), priceGross: num.nullish() }).passthrough())
              .default([]),
            variation: z
              .object({ id: num.nullish(), number: text, model: text, itemId: num.nullish() })
              .passthrough()
              .nullish(),
          })
          .passthrough()
      )
      .default([]),
  })
  .passthrough()
export type PlentyOrder = z.infer<typeof plentyOrderSchema>

export const plentyPageSchema = z.object({
  page: num.optional(),
  isLastPage: z.boolean(),
  entries: z.array(z.unknown()).default([]),
})

/** A variation of `GET /rest/items/variations?with=variationBarcodes,variationBundleComponents`. */
export const plentyVariationSchema = z
  .object({
    id: num.pipe(z.number().int()),
    number: text,
    name: text,
    weightG: num.nullish(),
    lengthMM: num.nullish(),
    widthMM: num.nullish(),
    heightMM: num.nullish(),
    /** `bundle` for a bundle itself, `bundle_item` for a variation that is part of one. */
    bundleType: text,
    updatedAt: text,
    variationBarcodes: z.array(z.object({ code: z.string() }).passthrough()).nullish(),
    variationBundleComponents: z
      .array(z.object({ componentVariationId: num, componentQuantity: num.nullish() }).passthrough())
      .nullish(),
  })
  .passthrough()
export type PlentyVariation = z.infer<typeof plentyVariationSchema>
