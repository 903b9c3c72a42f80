/**
 * Billbee → canonical model. Pure. BB3: products need SKU and EAN, else rejected; BB6: a bundle
 * (Type 2) is handed on as its components (the BillOfMaterial); timestamps without an offset
 * are read as UTC; decimals keep their value whatever their trailing zeros.
 */
import { toMoney } from '../../core/money'
import type { Address, ImportRecord, IncomingOrder, IncomingProduct } from '../../core/model'
import type { BillbeeOrder, BillbeeProduct } from './schemas'

type BillbeeAddress = NonNullable<BillbeeOrder['InvoiceAddress']>

const blank = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null)

export function billbeeTimeToIso(value: string | null | undefined): string | null {
  if (!value) return null
  const time = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
  return Number.isNaN(time) ? null : new Date(time).toISOString()
}

export function billbeeAddressToCanonical(address: BillbeeAddress | null | undefined): Address | null {
  if (!address) return null
  return {
    firstName: blank(address.FirstName),
    lastName: blank(address.LastName),
    company: blank(address.Company),
    street: blank(address.Street),
    houseNumber: blank(address.HouseNumber),
    street2: blank(address.Line2),
    postcode: blank(address.Zip),
    city: blank(address.City),
    region: blank(address.State),
    country: blank(address.Country),
    countryCode: blank(address.CountryISO2),
    email: blank(address.Email),
    phone: blank(address.Phone),
  }
}

export const BILLBEE_BUNDLE_TYPE = 2

export function billbeeOrderToCanonical(order: BillbeeOrder): IncomingOrder {
  const invoice = billbeeAddressToCanonical(order.InvoiceAddress)
  const shipping = billbeeAddressToCanonical(order.ShippingAddress)
  const createdAt = billbeeTimeToIso(order.CreatedAt) ?? new Date(0).toISOString()
  const email = invoice?.email ?? shipping?.email ?? blank(order.Customer?.Email)
  const phone = invoice?.phone ?? shipping?.phone ?? blank(order.Customer?.Tel1) ?? blank(order.Customer?.Tel2)
  const shippingCost =
    order.ShippingCost !== null && order.ShippingCost !== undefined ? toMoney(order.ShippingCost) : null
  return {
    externalId: order.BillBeeOrderId,
    number: blank(order.OrderNumber) ?? order.BillBeeOrderId,
    createdAt,
    updatedAt: billbeeTimeToIso(order.LastModifiedAt) ?? billbeeTimeToIso(order.UpdatedAt) ?? createdAt,
    currency: (order.Currency ?? 'EUR').toUpperCase(),
    platformStatus: String(order.State),
    status: order.State === 8 ? 'cancelled' : null,
    orderType: null,
    total: toMoney(order.TotalCost ?? 0),
    shippingCost,
    customer:
      invoice || email || phone
        ? {
            externalId: order.Customer?.Id ?? null,
            firstName: invoice?.firstName ?? null,
            lastName: invoice?.lastName ?? null,
            email,
            phone,
            address: invoice,
          }
        : null,
    billingAddress: invoice,
    shippingAddress: shipping,
    lines: (order.OrderItems ?? []).map((item) => {
      const quantity = Math.round(item.Quantity)
      const total = toMoney(item.TotalPrice ?? 0)
      const unitPrice = quantity > 0 ? toMoney((Number(total) / quantity).toFixed(4)) : total
      const product = item.Product
      const isBundle = product?.Type === BILLBEE_BUNDLE_TYPE
      return {
        externalId: item.BillbeeId ?? null,
        quantity,
        unitPrice,
        total,
        product: {
          externalId: product?.BillbeeId ?? product?.Id ?? null,
          name: blank(product?.Title) ?? blank(product?.SKU) ?? 'Unnamed product',
          description: null,
          sku: blank(product?.SKU),
          ean: blank(product?.EAN),
          code: product?.Id ?? null,
          category: null,
          dimensions: null,
          type: isBundle ? ('bundle' as const) : ('single' as const),
          components: [],
        },
      }
    }),
    delivery: {
      carrier: blank(order.ShippingProviderName) ?? blank(order.ShippingProfileName),
      cost: shippingCost,
      address: shipping,
    },
    tracking: [],
  }
}

function firstText(values: BillbeeProduct['Title']): string | null {
  const german = values?.find((value) => value.LanguageCode?.toLowerCase() === 'de')
  return blank(german?.Text ?? values?.find((value) => blank(value.Text))?.Text)
}

/** BB3, BB6: a product record, or the rejection of one without SKU or EAN. */
export function billbeeProductToRecord(product: BillbeeProduct): ImportRecord {
  const sku = blank(product.SKU)
  const ean = blank(product.EAN)
  if (!sku || !ean) {
    return {
      kind: 'decision',
      about: 'product',
      externalId: product.Id,
      result: 'rejected',
      rule: 'BB3',
      reason: `the product has no ${!sku ? 'SKU' : 'EAN'}`,
    }
  }
  const isBundle = product.Type === BILLBEE_BUNDLE_TYPE
  const incoming: IncomingProduct = {
    externalId: product.Id,
    name: firstText(product.Title) ?? sku,
    description: firstText(product.ShortDescription) ?? firstText(product.Description),
    sku,
    ean,
    code: product.Id,
    category: blank(product.Category1?.Name)
      ? { externalId: product.Category1?.Id ?? null, name: product.Category1!.Name!.trim() }
      : null,
    dimensions: {
      weight: product.Weight !== null && product.Weight !== undefined ? String(product.Weight) : null,
      length: product.LengthCm !== null && product.LengthCm !== undefined ? String(product.LengthCm) : null,
      width: product.WidthCm !== null && product.WidthCm !== undefined ? String(product.WidthCm) : null,
      height: product.HeightCm !== null && product.HeightCm !== undefined ? String(product.HeightCm) : null,
    },
    type: isBundle ? 'bundle' : 'single',
    // BB6: a bundle is handed on as its components only.
    components: isBundle
      ? (product.BillOfMaterial ?? []).map((part) => ({
          sku: blank(part.SKU),
          externalId: part.ArticleId ?? null,
          quantity: part.Amount,
        }))
      : [],
  }
  return { kind: 'product', product: incoming }
}
