/**
 * The Shopify simulator's products as the Admin REST API 2025-10 serves them: `GET products.json`
 * (filters `ids`, `since_id`, `title`, `vendor`, `handle`, `product_type`, `status`,
 * `created_at_min/max`, `updated_at_min/max`; `limit` ≤ 250; Link-header cursor paging with the
 * same `page_info` rules as orders), `GET products/count.json`, `GET products/{id}.json`. Each
 * product carries its variants (`sku`, `barcode`, `weight` with `weight_unit`, `grams`), at most
 * 100 of them, as REST serves no more (shopify.dev, new product model). The shape follows the
 * reference example of `GET /admin/api/2025-10/products/632910392.json`. Control:
 * `POST /_sim/products {products: [partial…]}` stores them (stamped `updated_at` now unless given),
 * `GET /_sim/products`.
 */
import { compareIds } from './json'
import { ApiError, type ListFilters, pageOrders, pickFields } from './listing'
import { formatShopifyTime } from './orders'

type Json = Record<string, any>

/** REST returns at most this many variants of one product. */
export const REST_VARIANT_LIMIT = 100

const products = new WeakMap<object, Map<string, Json>>()
function productsOf(shop: object): Map<string, Json> {
  let map = products.get(shop)
  if (!map) products.set(shop, (map = new Map()))
  return map
}

let nextId = 7_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000

/** A product in the REST shape, variants filled in from their partials. */
export function shopifyProductPayload(partial: Json): Json {
  const now = formatShopifyTime(new Date())
  const id = partial.id ?? nextId++
  const title = partial.title ?? 'Product'
  const variants = ((partial.variants as Json[] | undefined) ?? [{}]).map((variant, index) => {
    const variantId = variant.id ?? nextId++
    return {
      id: variantId,
      product_id: id,
      title: 'Default Title',
      price: '19.90',
      position: index + 1,
      inventory_policy: 'deny',
      compare_at_price: null,
      option1: variant.title ?? 'Default Title',
      option2: null,
      option3: null,
      created_at: now,
      updated_at: partial.updated_at ?? now,
      taxable: true,
      barcode: null,
      fulfillment_service: 'manual',
      grams: 0,
      inventory_management: 'shopify',
      requires_shipping: true,
      sku: '',
      weight: 0,
      weight_unit: 'kg',
      inventory_item_id: variantId,
      inventory_quantity: 0,
      old_inventory_quantity: 0,
      admin_graphql_api_id: `gid://shopify/ProductVariant/${variantId}`,
      image_id: null,
      ...variant,
    }
  })
  return {
    id,
    title,
    body_html: '',
    vendor: 'Kontor Test',
    product_type: '',
    created_at: now,
    handle: String(title)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
    updated_at: now,
    published_at: now,
    template_suffix: null,
    published_scope: 'web',
    tags: '',
    status: 'active',
    admin_graphql_api_id: `gid://shopify/Product/${id}`,
    options: [{ id: nextId++, product_id: id, name: 'Title', position: 1, values: ['Default Title'] }],
    images: [],
    image: null,
    ...partial,
    variants,
  }
}

export function storeProducts(shop: object, partials: Json[]): Json[] {
  const stored = partials.map(shopifyProductPayload)
  for (const product of stored) productsOf(shop).set(String(product.id), product)
  return stored
}

export function findProduct(shop: object, id: string): Json | undefined {
  return productsOf(shop).get(id)
}

export const listProducts = (shop: object) => [...productsOf(shop).values()].sort((a, b) => compareIds(a.id, b.id))

/** As REST serves a product: no more than 100 variants. */
export const restProduct = (product: Json): Json => ({
  ...product,
  variants: (product.variants as Json[]).slice(0, REST_VARIANT_LIMIT),
})

const PRODUCT_FILTERS: ListFilters = {
  names: [
    'ids',
    'since_id',
    'title',
    'vendor',
    'handle',
    'product_type',
    'status',
    'created_at_min',
    'created_at_max',
    'updated_at_min',
    'updated_at_max',
  ],
  apply(items, filters) {
    const bounds: [string, number, boolean][] = []
    for (const field of ['created_at', 'updated_at'])
      for (const [suffix, atLeast] of [
        ['_min', true],
        ['_max', false],
      ] as const) {
        const value = filters[field + suffix]
        if (value === undefined) continue
        const time = Date.parse(value)
        if (Number.isNaN(time)) throw new ApiError(400, { errors: { [field + suffix]: 'is not a valid date' } })
        bounds.push([field, time, atLeast])
      }
    if (filters.since_id !== undefined && !/^\d+$/.test(filters.since_id))
      throw new ApiError(400, { errors: { since_id: 'is not a number' } })
    const ids = filters.ids?.split(',').map((id) => id.trim())
    const statuses = filters.status?.split(',').map((status) => status.trim())
    return items.filter(
      (product) =>
        (!ids || ids.includes(String(product.id))) &&
        (!statuses || statuses.includes(String(product.status))) &&
        (filters.since_id === undefined || compareIds(product.id, filters.since_id) > 0) &&
        ['title', 'vendor', 'handle', 'product_type'].every(
          (field) => filters[field] === undefined || product[field] === filters[field]
        ) &&
        bounds.every(([field, time, atLeast]) => {
          const at = Date.parse(String(product[field]))
          return atLeast ? at >= time : at <= time
        })
    )
  },
}

/** The Admin API's answer for a products route, or null when the route is not one of them. */
export function handleProducts(
  shop: object,
  domain: string,
  method: string,
  route: string,
  url: URL
): { body: unknown; headers?: Record<string, string> } | null {
  if (method !== 'GET') return null
  const fields = url.searchParams.get('fields')
  if (route === 'products.json') {
    const page = pageOrders(listProducts(shop), url.searchParams, `https://${domain}${url.pathname}`, PRODUCT_FILTERS)
    return {
      body: { products: page.orders.map((product) => pickFields(restProduct(product), fields)) },
      headers: page.link ? { Link: page.link } : {},
    }
  }
  if (route === 'products/count.json') {
    const filters = Object.fromEntries([...url.searchParams].filter(([key]) => PRODUCT_FILTERS.names.includes(key)))
    return { body: { count: PRODUCT_FILTERS.apply(listProducts(shop), filters).length } }
  }
  const match = /^products\/(\d+)\.json$/.exec(route)
  if (match) {
    const product = findProduct(shop, match[1])
    if (!product) throw new ApiError(404, { errors: 'Not Found' })
    return { body: { product: pickFields(restProduct(product), fields) } }
  }
  return null
}
