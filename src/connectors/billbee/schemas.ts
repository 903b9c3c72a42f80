/**
 * Billbee's connection fields (BB1, §6) and the parts of its API models Kontor reads. Real
 * Billbee answers differ from its swagger (timestamps without offset, decimals like `30.000`,
 * `ErrorDescription` as a string, many nulls), so every field is lenient and nothing is dropped
 * for being shaped unexpectedly.
 */
import { z } from 'zod'

export const billbeeCredentialsSchema = z.object({
  /** The Billbee user name (or email) for Basic auth. */
  username: z.string().min(1),
  apiPassword: z.string().min(1),
  apiKey: z.string().min(1),
})
export type BillbeeCredentials = z.infer<typeof billbeeCredentialsSchema>

export const billbeeSettingsSchema = z.object({
  /** BB1: orders in this state are imported (3 = paid). */
  orderStateId: z.number().int().positive().default(3),
  storageLocationId: z.number().int().nonnegative().default(0),
  /** BB7: orders carrying this tag are imported, then tagged `order_received_by_<ordersTag>`. */
  ordersTag: z.string().trim().min(1),
  /** BB2. */
  pollMinutes: z.number().int().min(1).max(1440).default(60),
  /** Billbee's own article id keeps the catalogue stable when an SKU changes (BB4). */
  productMatch: z.enum(['name', 'sku', 'id']).default('id'),
  /** ST3: write the warehouse's sellable stock here (when routed to a warehouse). */
  stockSync: z.boolean().default(true),
  /** ST2: units held back from this channel's figure. */
  stockBuffer: z.number().int().min(0).default(0),
  baseUrl: z.string().url().optional(),
})
export type BillbeeSettings = z.infer<typeof billbeeSettingsSchema>

const id = z.union([z.string(), z.number()]).transform(String)
const text = z.string().nullish()
const decimal = z.union([z.string(), z.number()]).nullish()

export const billbeeAddressSchema = z
  .object({
    FirstName: text,
    LastName: text,
    Company: text,
    Street: text,
    HouseNumber: text,
    Line2: text,
    Zip: text,
    City: text,
    CountryISO2: text,
    Country: text,
    State: text,
    Email: text,
    Phone: text,
  })
  .passthrough()

const multiLanguage = z.array(z.object({ Text: text, LanguageCode: text }).passthrough()).nullish()

export const billbeeOrderSchema = z
  .object({
    BillBeeOrderId: id,
    OrderNumber: text,
    State: z.coerce.number(),
    CreatedAt: z.string(),
    UpdatedAt: text,
    LastModifiedAt: text,
    Currency: text,
    TotalCost: decimal,
    ShippingCost: decimal,
    Tags: z.array(z.string()).nullish(),
    InvoiceAddress: billbeeAddressSchema.nullish(),
    ShippingAddress: billbeeAddressSchema.nullish(),
    Customer: z.object({ Id: id.nullish(), Name: text, Email: text, Tel1: text, Tel2: text }).passthrough().nullish(),
    ShippingProfileName: text,
    ShippingProviderName: text,
    ShippingProviderId: z.union([z.string(), z.number()]).nullish(),
    OrderItems: z
      .array(
        z
          .object({
            BillbeeId: id.nullish(),
            Quantity: z.coerce.number(),
            TotalPrice: decimal,
            Product: z
              .object({
                Id: id.nullish(),
                BillbeeId: id.nullish(),
                Title: text,
                SKU: text,
                EAN: text,
                Type: z.coerce.number().nullish(),
              })
              .passthrough()
              .nullish(),
          })
          .passthrough()
      )
      .nullish(),
  })
  .passthrough()
export type BillbeeOrder = z.infer<typeof billbeeOrderSchema>

export const billbeeProductSchema = z
  .object({
    Id: id,
    Type: z.coerce.number().nullish(),
    SKU: text,
    EAN: text,
    Title: multiLanguage,
    Description: multiLanguage,
    ShortDescription: multiLanguage,
    Weight: decimal,
    WidthCm: decimal,
    LengthCm: decimal,
    HeightCm: decimal,
    Category1: z.object({ Name: text, Id: id.nullish() }).passthrough().nullish(),
    BillOfMaterial: z
      .array(z.object({ Amount: z.coerce.number(), ArticleId: id.nullish(), SKU: text }).passthrough())
      .nullish(),
  })
  .passthrough()
export type BillbeeProduct = z.infer<typeof billbeeProductSchema>

export const billbeeEnvelopeSchema = z
  .object({
    Paging: z.object({ Page: z.coerce.number(), TotalPages: z.coerce.number() }).passthrough().nullish(),
    ErrorMessage: text,
    ErrorCode: z.coerce.number().nullish(),
    Data: z.unknown(),
  })
  .passthrough()
