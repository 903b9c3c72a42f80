/** Canonical orders for importer tests: small builders, so each test states only what it is about. */
import type { IncomingCustomer, IncomingOrder, IncomingOrderLine, IncomingProduct } from '../../src/core/model'
import type { ImportTarget } from '../../src/import/import-records'

/** What the importer is told about a Shopify connection that takes webhooks; fresh tenant and connection ids. */
export function importTarget(overrides: Partial<ImportTarget> = {}): ImportTarget {
  return {
    tenantId: `ten_${crypto.randomUUID().slice(0, 8)}`,
    tenantCurrency: 'EUR',
    connectionId: `con_${crypto.randomUUID().slice(0, 8)}`,
    platform: 'shopify',
    origin: 'webhook',
    takesWebhooks: true,
    policy: {},
    routes: [],
    settings: { productMatch: 'sku' },
    ...overrides,
  }
}

export function product(overrides: Partial<IncomingProduct> = {}): IncomingProduct {
  return {
    externalId: `p-${crypto.randomUUID().slice(0, 6)}`,
    name: 'Blue mug',
    description: null,
    sku: `SKU-${crypto.randomUUID().slice(0, 6)}`,
    ean: null,
    code: null,
    category: null,
    dimensions: null,
    type: 'single',
    components: [],
    ...overrides,
  }
}

export function line(overrides: Partial<IncomingOrderLine> = {}): IncomingOrderLine {
  return {
    externalId: crypto.randomUUID().slice(0, 6),
    product: product(),
    quantity: 2,
    unitPrice: '9.95',
    total: '19.90',
    ...overrides,
  }
}

export function customer(overrides: Partial<IncomingCustomer> = {}): IncomingCustomer {
  return {
    externalId: `c-${crypto.randomUUID().slice(0, 6)}`,
    firstName: 'Erika',
    lastName: 'Mustermann',
    email: `erika-${crypto.randomUUID().slice(0, 6)}@example.com`,
    phone: `+49 30 ${Math.floor(Math.random() * 1e8)}`,
    address: { street: 'Hauptstr. 1', postcode: '10115', city: 'Berlin', countryCode: 'DE' },
    ...overrides,
  }
}

export function order(overrides: Partial<IncomingOrder> = {}): IncomingOrder {
  return {
    externalId: String(Math.floor(Math.random() * 1e12)),
    number: '#1001',
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    currency: 'EUR',
    platformStatus: 'paid',
    status: null,
    orderType: 'web',
    total: '59.70',
    shippingCost: '4.90',
    customer: customer(),
    billingAddress: null,
    shippingAddress: null,
    lines: [line(), line(), line()],
    delivery: { carrier: 'DHL', cost: '4.90', address: { firstName: 'Erika', lastName: 'Mustermann', city: 'Berlin' } },
    tracking: [],
    ...overrides,
  }
}
