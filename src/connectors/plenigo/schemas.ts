/**
 * plenigo's connection fields (§6) and the parts of its API v3 answers Kontor reads
 * (OpenAPI `API.250520-MINOR`). Answers are read leniently: int64 ids may come as numbers or,
 * beyond 2^53, as text (src/core/json.ts), and fields Kontor does not need pass through.
 */
import { z } from 'zod'

/** plenigo's `OrderImport.paymentMethod` enum (identical in every published spec version). */
export const PLENIGO_PAYMENT_METHODS = [
  'AMAZON_PAY',
  'APPLE_PAY',
  'BANK_ACCOUNT',
  'BILLING',
  'CREDIT_CARD',
  'GOOGLE_PAY',
  'IDEAL',
  'PAYPAL',
  'POSTFINANCE',
  'SOFORT',
  'TWINT',
  'ZERO',
] as const
export type PlenigoPaymentMethod = (typeof PLENIGO_PAYMENT_METHODS)[number]

export const plenigoCredentialsSchema = z.object({
  /** Merchant backend » Settings » Development » API Access Token; needs CUSTOMERS and IMPORTS rights. */
  apiToken: z.string().min(1),
})
export type PlenigoCredentials = z.infer<typeof plenigoCredentialsSchema>

export const plenigoSettingsSchema = z.object({
  /** PL3: the order line's SKU → plenigo offer id (exactly 20 characters, e.g. `O_MZA1E7173120881551`). */
  offerMap: z.record(z.string().min(1), z.string().length(20)).default({}),
  /**
   * PL3: the order's payment method as the source platform names it (Shopify's gateway, matched
   * without regard to case) → plenigo's enum; the `default` key covers every other method.
   */
  paymentMethodMap: z.record(z.string().min(1), z.enum(PLENIGO_PAYMENT_METHODS)).default({}),
  /** PL2: language of customers Kontor creates (ISO 639-1). */
  language: z
    .string()
    .regex(/^[a-zA-Z]{2}$/, 'a two-letter ISO 639-1 code')
    .transform((value) => value.toLowerCase())
    .default('de'),
  /** Sent as the import's `managedBy` when set (`WBZ` offers need it); left out otherwise. */
  managedBy: z.enum(['EXTERNAL', 'WBZ']).optional(),
  /** How often the cron confirms open imports from plenigo's import log (PL5). */
  pollMinutes: z.number().int().min(1).max(1440).default(5),
  baseUrl: z.string().url().optional(),
})
export type PlenigoSettings = z.infer<typeof plenigoSettingsSchema>

const int64 = z.union([z.string(), z.number()]).transform(String)

/** `ErrorResultBase` / `ErrorResult`: every error answer of the API. */
export const plenigoErrorSchema = z
  .object({
    errorCode: z.coerce.number(),
    errorMessage: z.string().nullish(),
    validationErrors: z
      .array(z.object({ field: z.string().nullish(), error: z.string().nullish(), value: z.unknown() }).passthrough())
      .nullish(),
  })
  .passthrough()
export type PlenigoErrorBody = z.infer<typeof plenigoErrorSchema>

export const plenigoCustomerSchema = z
  .object({ customerId: int64, email: z.string().nullish(), status: z.string().nullish() })
  .passthrough()
export type PlenigoCustomer = z.infer<typeof plenigoCustomerSchema>

export const plenigoCustomersSchema = z.object({ items: z.array(plenigoCustomerSchema).nullish() }).passthrough()

/** `SuccessStatus`: the answer to an import; `promiseId` only for long-running calls. */
export const plenigoSuccessStatusSchema = z
  .object({ success: z.boolean().nullish(), promiseId: z.string().nullish() })
  .passthrough()

export const plenigoImportLogEntrySchema = z
  .object({
    orderImportLogEntryId: int64,
    externalSystemId: z.string().nullish(),
    plenigoOfferId: z.string().nullish(),
    success: z.boolean().nullish(),
    orderId: int64.nullish(),
    errorReason: z.string().nullish(),
    errorDetail: z.unknown().optional(),
    createdDate: z.string().nullish(),
    changedDate: z.string().nullish(),
  })
  .passthrough()
export type PlenigoImportLogEntry = z.infer<typeof plenigoImportLogEntrySchema>

export const plenigoImportLogEntriesSchema = z
  .object({ items: z.array(plenigoImportLogEntrySchema).nullish() })
  .passthrough()

export const plenigoOrdersSchema = z
  .object({
    items: z.array(z.object({ orderId: int64, externalSystemId: z.string().nullish() }).passthrough()).nullish(),
  })
  .passthrough()
