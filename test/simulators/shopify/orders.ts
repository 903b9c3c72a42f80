/**
 * Realistic Shopify REST order objects (shape of fixtures/shopify/orders-list-status-any…json) and
 * the fulfilment orders Shopify keeps for them. Money is always a string with two decimals.
 */

type Json = Record<string, unknown>

// Ids the builder invents are safe integers, distinct within this process.
let nextOrderId = 5_000_000_000 + Math.floor(Math.random() * 1_000_000_000)
let nextSubId = 10_000_000_000 + Math.floor(Math.random() * 1_000_000_000)
let nextOrderNumber = 1001

export function newSubId(): number {
  return nextSubId++
}

const PRODUCTS = [
  {
    product_id: 632910392,
    variant_id: 808950810,
    sku: 'IPOD2008PINK',
    title: 'IPod Nano - 8GB',
    variant_title: 'Pink',
    price: '199.00',
    grams: 567,
    vendor: 'Apple',
  },
  {
    product_id: 632910392,
    variant_id: 39072856,
    sku: 'IPOD2008GREEN',
    title: 'IPod Nano - 8GB',
    variant_title: 'Green',
    price: '199.00',
    grams: 567,
    vendor: 'Apple',
  },
  {
    product_id: 910489600,
    variant_id: 389013007,
    sku: 'crafty_shoes_red',
    title: 'Crafty Shoes - Red',
    variant_title: 'Small',
    price: '10.00',
    grams: 300,
    vendor: 'Birthday Present Factory',
  },
  {
    product_id: 7513594,
    variant_id: 4264112,
    sku: 'SOCKS-WOOL-M',
    title: 'Wool Socks',
    variant_title: 'M',
    price: '12.50',
    grams: 80,
    vendor: 'Knit & Co',
  },
  {
    product_id: 7513601,
    variant_id: 4264130,
    sku: 'MUG-CERAMIC-01',
    title: 'Ceramic Mug',
    variant_title: null,
    price: '18.90',
    grams: 350,
    vendor: 'Kiln Works',
  },
  {
    product_id: 7513620,
    variant_id: 4264155,
    sku: 'TEE-ORG-L-BLK',
    title: 'Organic T-Shirt',
    variant_title: 'L / Black',
    price: '29.00',
    grams: 180,
    vendor: 'Green Threads',
  },
]

const PEOPLE = [
  {
    first_name: 'Bob',
    last_name: 'Norman',
    email: 'bob.norman@mail.example.com',
    phone: '+15024592181',
    address1: 'Chestnut Street 92',
    city: 'Louisville',
    zip: '40202',
    province: 'Kentucky',
    province_code: 'KY',
    country: 'United States',
    country_code: 'US',
  },
  {
    first_name: 'Ana',
    last_name: 'Lima',
    email: 'ana.lima@example.com',
    phone: '+12125550147',
    address1: '350 Fifth Avenue',
    city: 'New York',
    zip: '10118',
    province: 'New York',
    province_code: 'NY',
    country: 'United States',
    country_code: 'US',
  },
  {
    first_name: 'Jonas',
    last_name: 'Becker',
    email: 'jonas.becker@example.de',
    phone: '+4930901820',
    address1: 'Unter den Linden 5',
    city: 'Berlin',
    zip: '10117',
    province: null,
    province_code: null,
    country: 'Germany',
    country_code: 'DE',
  },
  {
    first_name: 'Chloé',
    last_name: 'Martin',
    email: 'chloe.martin@example.fr',
    phone: '+33142685300',
    address1: '12 Rue de Rivoli',
    city: 'Paris',
    zip: '75004',
    province: null,
    province_code: null,
    country: 'France',
    country_code: 'FR',
  },
  {
    first_name: 'Sam',
    last_name: 'Okafor',
    email: 'sam.okafor@example.com',
    phone: '+14155550199',
    address1: '1 Market Street',
    city: 'San Francisco',
    zip: '94105',
    province: 'California',
    province_code: 'CA',
    country: 'United States',
    country_code: 'US',
  },
]

function hash(text: string): number {
  let value = 2166136261
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16777619) >>> 0
  return value
}

const cents = (amount: unknown) => Math.round(Number(amount ?? 0) * 100)
const money = (value: number) => (value / 100).toFixed(2)
export const moneySet = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
})

/** Shopify's timestamp form, ISO 8601 with the shop's offset (the simulated shops sit at -05:00). */
export function formatShopifyTime(date: Date, offsetMinutes = -300): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

function address(person: (typeof PEOPLE)[number]) {
  return {
    first_name: person.first_name,
    address1: person.address1,
    phone: person.phone,
    city: person.city,
    zip: person.zip,
    province: person.province,
    country: person.country,
    last_name: person.last_name,
    address2: '',
    company: null,
    latitude: null,
    longitude: null,
    name: `${person.first_name} ${person.last_name}`,
    country_code: person.country_code,
    province_code: person.province_code,
  }
}

function lineItem(seed: number, index: number, currency: string, given: Json = {}): Json {
  const product = PRODUCTS[(seed + index * 7) % PRODUCTS.length]
  const id = given.id ?? newSubId()
  const quantity = Number(given.quantity ?? 1 + ((seed >>> (index * 3)) % 3))
  const price = String(given.price ?? product.price)
  return {
    id,
    admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
    attributed_staffs: [],
    current_quantity: quantity,
    fulfillable_quantity: quantity,
    fulfillment_service: 'manual',
    fulfillment_status: null,
    gift_card: false,
    grams: product.grams,
    name: product.variant_title ? `${product.title} - ${product.variant_title}` : product.title,
    price,
    price_set: moneySet(price, currency),
    product_exists: true,
    product_id: product.product_id,
    properties: [],
    quantity,
    requires_shipping: true,
    sku: product.sku,
    taxable: true,
    title: product.title,
    total_discount: '0.00',
    total_discount_set: moneySet('0.00', currency),
    variant_id: product.variant_id,
    variant_inventory_management: 'shopify',
    variant_title: product.variant_title,
    vendor: product.vendor,
    tax_lines: [],
    duties: [],
    discount_allocations: [],
    ...given,
  }
}

/**
 * A complete REST order; `overrides` replace top-level fields (ids may be numbers or, beyond 2^53,
 * digit strings). Line items given partially are completed. Totals follow the line items unless
 * overridden: total = subtotal + shipping + 6 % tax.
 */
export function shopifyOrderPayload(overrides: Json = {}): Json {
  const id = overrides.id ?? nextOrderId++
  const seed = hash(String(id))
  const currency = String(overrides.currency ?? 'USD')
  const fromName = typeof overrides.name === 'string' ? /^#(\d+)$/.exec(overrides.name)?.[1] : undefined
  const orderNumber = Number(overrides.order_number ?? fromName ?? nextOrderNumber++)
  const createdAt = String(overrides.created_at ?? formatShopifyTime(new Date()))
  const person = PEOPLE[seed % PEOPLE.length]
  const givenLines = Array.isArray(overrides.line_items) ? (overrides.line_items as Json[]) : [{}, {}, {}]
  const lineItems = givenLines.map((given, index) => lineItem(seed, index, currency, given))
  const shippingLines = Array.isArray(overrides.shipping_lines)
    ? (overrides.shipping_lines as Json[])
    : [
        {
          id: newSubId(),
          carrier_identifier: null,
          code: 'Standard',
          discounted_price: '4.90',
          discounted_price_set: moneySet('4.90', currency),
          is_removed: false,
          phone: null,
          price: '4.90',
          price_set: moneySet('4.90', currency),
          requested_fulfillment_service_id: null,
          source: 'shopify',
          title: 'Standard Shipping',
          tax_lines: [],
          discount_allocations: [],
        },
      ]
  const subtotal = lineItems.reduce((sum, line) => sum + cents(line.price) * Number(line.quantity), 0)
  const shipping = shippingLines.reduce((sum, line) => sum + cents(line.price), 0)
  const tax = Math.round(subtotal * 0.06)
  const total = subtotal + shipping + tax
  const customerId = newSubId()
  const contact = { email: person.email, phone: person.phone }
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    app_id: 580111,
    browser_ip: '203.0.113.7',
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: null,
    checkout_id: newSubId(),
    closed_at: null,
    confirmation_number: `K${String(seed).slice(0, 8)}`,
    confirmed: true,
    contact_email: contact.email,
    created_at: createdAt,
    currency,
    current_subtotal_price: money(subtotal),
    current_subtotal_price_set: moneySet(money(subtotal), currency),
    current_total_discounts: '0.00',
    current_total_discounts_set: moneySet('0.00', currency),
    current_total_price: money(total),
    current_total_price_set: moneySet(money(total), currency),
    current_total_tax: money(tax),
    current_total_tax_set: moneySet(money(tax), currency),
    customer_locale: 'en',
    discount_codes: [],
    email: contact.email,
    estimated_taxes: false,
    financial_status: 'paid',
    fulfillment_status: null,
    landing_site: '/',
    location_id: null,
    name: `#${orderNumber}`,
    note: null,
    note_attributes: [],
    number: orderNumber - 1000,
    order_number: orderNumber,
    payment_gateway_names: ['shopify_payments'],
    phone: contact.phone,
    presentment_currency: currency,
    processed_at: createdAt,
    source_name: 'web',
    subtotal_price: money(subtotal),
    subtotal_price_set: moneySet(money(subtotal), currency),
    tags: '',
    tax_lines: [
      {
        price: money(tax),
        rate: 0.06,
        title: 'State Tax',
        price_set: moneySet(money(tax), currency),
        channel_liable: false,
      },
    ],
    taxes_included: false,
    test: false,
    total_discounts: '0.00',
    total_discounts_set: moneySet('0.00', currency),
    total_line_items_price: money(subtotal),
    total_line_items_price_set: moneySet(money(subtotal), currency),
    total_outstanding: '0.00',
    total_price: money(total),
    total_price_set: moneySet(money(total), currency),
    total_shipping_price_set: moneySet(money(shipping), currency),
    total_tax: money(tax),
    total_tax_set: moneySet(money(tax), currency),
    total_tip_received: '0.00',
    total_weight: lineItems.reduce((sum, line) => sum + Number(line.grams ?? 0) * Number(line.quantity), 0),
    updated_at: createdAt,
    user_id: null,
    billing_address: address(person),
    customer: {
      id: customerId,
      email: person.email,
      created_at: createdAt,
      updated_at: createdAt,
      first_name: person.first_name,
      last_name: person.last_name,
      state: 'enabled',
      note: null,
      verified_email: true,
      multipass_identifier: null,
      tax_exempt: false,
      phone: person.phone,
      tags: '',
      currency,
      tax_exemptions: [],
      admin_graphql_api_id: `gid://shopify/Customer/${customerId}`,
      default_address: {
        id: newSubId(),
        customer_id: customerId,
        ...address(person),
        country_name: person.country,
        default: true,
      },
    },
    discount_applications: [],
    fulfillments: [],
    line_items: lineItems,
    payment_terms: null,
    refunds: [],
    shipping_address: address(person),
    shipping_lines: shippingLines,
    ...overrides,
    ...(Array.isArray(overrides.line_items) ? { line_items: lineItems } : {}),
  }
}

export const LOCATION_ID = 24826418

/** The one fulfilment order Shopify creates for an order at the simulated shop's only location. */
export function fulfillmentOrderFor(order: Json, shopId: number): Json {
  const id = newSubId()
  const shipping = (order.shipping_address ?? {}) as Json
  const now = formatShopifyTime(new Date())
  return {
    id,
    created_at: now,
    updated_at: now,
    shop_id: shopId,
    order_id: order.id,
    assigned_location_id: LOCATION_ID,
    request_status: 'unsubmitted',
    status: 'open',
    fulfill_at: null,
    fulfill_by: null,
    supported_actions: ['create_fulfillment', 'hold', 'move'],
    destination: {
      id: newSubId(),
      address1: shipping.address1 ?? null,
      address2: shipping.address2 ?? null,
      city: shipping.city ?? null,
      company: shipping.company ?? null,
      country: shipping.country ?? null,
      email: order.email ?? null,
      first_name: shipping.first_name ?? null,
      last_name: shipping.last_name ?? null,
      phone: shipping.phone ?? null,
      province: shipping.province ?? null,
      zip: shipping.zip ?? null,
    },
    line_items: ((order.line_items ?? []) as Json[]).map((line) => ({
      id: newSubId(),
      shop_id: shopId,
      fulfillment_order_id: id,
      quantity: line.quantity,
      line_item_id: line.id,
      inventory_item_id: line.variant_id,
      fulfillable_quantity: line.fulfillable_quantity ?? line.quantity,
      variant_id: line.variant_id,
    })),
    international_duties: null,
    fulfillment_holds: [],
    delivery_method: {
      id: newSubId(),
      method_type: 'shipping',
      min_delivery_date_time: null,
      max_delivery_date_time: null,
    },
    assigned_location: {
      address1: null,
      address2: null,
      city: null,
      country_code: 'US',
      location_id: LOCATION_ID,
      name: 'Shop location',
      phone: null,
      province: null,
      zip: null,
    },
    merchant_requests: [],
  }
}

/** Tracking URL Shopify builds for the carriers it knows, when none was given. */
export function trackingUrl(company: string | null, number: string | null): string | null {
  if (!number) return null
  const urls: Record<string, string> = {
    UPS: `https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=${number}`,
    USPS: `https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=${number}`,
    FedEx: `https://www.fedex.com/fedextrack/?trknbr=${number}`,
    'DHL Express': `https://www.dhl.com/en/express/tracking.html?AWB=${number}&brand=DHL`,
  }
  return company ? (urls[company] ?? null) : null
}
