/**
 * Shopify Admin REST calls Kontor makes: order and product pages (Link-header cursor paging), one order,
 * fulfilment orders and fulfilments. Every call takes a slot in the shop's leaky bucket (40 calls,
 * 2 leak out per second; per app and store) kept by the shop's AccountPacer Durable Object
 * (src/pacing/), shared by every isolate and consumer; `X-Shopify-Shop-Api-Call-Limit: 32/40`
 * on each answer fills the shared bucket to Shopify's own level (and size), and a 429 pauses the
 * shop for its Retry-After before the call is tried again.
 */
import type { HttpRequest, HttpResponse } from '../../core/http-client'
import type { ConnectorContext } from '../types'
import { type Observation, pacedRequest, type RateLimit } from '../../pacing/pacer'
import type { ShopifyCredentials, ShopifySettings } from './schemas'

/** The REST bucket of a standard plan: 40 calls, one leaks out every 500 ms. */
export const SHOPIFY_REST_LIMIT: RateLimit = { kind: 'rate', capacity: 40, intervalMs: 500 }
const BUCKET = 'rest'

type Context = ConnectorContext<ShopifyCredentials, ShopifySettings>
/** Longest wait for a slot inside a call; beyond it the queue retries the work later. */
const MAX_WAIT_MS = 10_000

/** What `X-Shopify-Shop-Api-Call-Limit: {used}/{size}` says, for the shared bucket. */
export function shopifyObservations(headers: Headers): Observation[] {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(headers.get('x-shopify-shop-api-call-limit') ?? '')
  if (!match) return []
  return [
    { bucket: BUCKET, kind: 'level', used: Number(match[1]), capacity: Number(match[2]), limit: SHOPIFY_REST_LIMIT },
  ]
}

/** One Admin REST call, paced per shop. */
export async function shopifyRequest(
  context: Pick<Context, 'http' | 'credentials' | 'pacer'>,
  path: string,
  request: HttpRequest = {}
): Promise<HttpResponse> {
  return pacedRequest({
    pacer: await context.pacer([context.credentials.shopDomain], { secret: false }),
    label: `Shopify ${request.method ?? (request.json === undefined ? 'GET' : 'POST')} ${path}`,
    slots: [{ bucket: BUCKET, limit: SHOPIFY_REST_LIMIT }],
    maxWaitMs: MAX_WAIT_MS,
    callerAccepts429: request.accept?.includes(429),
    send: () =>
      context.http.request(path, {
        ...request,
        headers: { ...request.headers, ...shopifyHeaders(context.credentials) },
        accept: [...(request.accept ?? []), 429],
      }),
    observe: (response) => shopifyObservations(response.headers),
  })
}

export const SHOPIFY_PAGE_SIZE = 250

export function shopifyHeaders(credentials: ShopifyCredentials) {
  return { 'X-Shopify-Access-Token': credentials.accessToken }
}

/** The `page_info` of the `rel="next"` link, if there is a next page. */
export function nextPageInfo(link: string | null): string | null {
  if (!link) return null
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)
    if (match) return new URL(match[1]).searchParams.get('page_info')
  }
  return null
}

export type ListPageQuery = { pageInfo: string } | { filters: Record<string, string> }

/** One page of a REST list (`orders.json`, `products.json`) and the cursor of the next. */
async function fetchListPage<Key extends 'orders' | 'products'>(
  context: Context,
  resource: Key,
  query: ListPageQuery,
  accept: number[] = []
) {
  // A page_info request may carry only limit and fields; filters belong to the first request.
  const params =
    'pageInfo' in query
      ? { page_info: query.pageInfo, limit: SHOPIFY_PAGE_SIZE }
      : { ...query.filters, limit: SHOPIFY_PAGE_SIZE }
  return shopifyRequest(context, `/admin/api/${context.settings.apiVersion}/${resource}.json`, {
    query: params,
    accept,
  })
}

export async function fetchOrdersPage(context: Context, query: ListPageQuery) {
  const response = await fetchListPage(context, 'orders', query)
  return {
    orders: response.json<{ orders: unknown[] }>().orders,
    nextPageInfo: nextPageInfo(response.headers.get('link')),
  }
}

/**
 * One page of `products.json` (each product with its variants, at most 100 of them on REST).
 * A token granted without `read_products` gets 403: that is the merchant's choice, not a failure
 * to retry, so it comes back as `refused` with Shopify's words.
 */
export async function fetchProductsPage(context: Context, query: ListPageQuery) {
  const response = await fetchListPage(context, 'products', query, [403])
  if (response.status === 403) return { products: [], nextPageInfo: null, refused: response.text.slice(0, 300) }
  return {
    products: response.json<{ products: unknown[] }>().products,
    nextPageInfo: nextPageInfo(response.headers.get('link')),
    refused: null,
  }
}

export async function fetchOrder(context: Context, orderId: string) {
  const response = await shopifyRequest(context, `/admin/api/${context.settings.apiVersion}/orders/${orderId}.json`, {
    accept: [404],
  })
  return response.status === 404 ? null : response.json<{ order: unknown }>().order
}

type FulfillmentOrder = { id: string | number; status: string; supported_actions?: string[] }

export async function fetchOpenFulfillmentOrders(context: Context, orderId: string) {
  const response = await shopifyRequest(
    context,
    `/admin/api/${context.settings.apiVersion}/orders/${orderId}/fulfillment_orders.json`
  )
  const { fulfillment_orders } = response.json<{ fulfillment_orders: FulfillmentOrder[] }>()
  return fulfillment_orders.filter(
    (order) =>
      ['open', 'in_progress'].includes(order.status) &&
      (order.supported_actions?.includes('create_fulfillment') ?? true)
  )
}

export async function createFulfillment(
  context: Context,
  input: {
    fulfillmentOrderIds: (string | number)[]
    tracking: { number: string; company: string | null; url?: string | null }
  }
) {
  const body = {
    fulfillment: {
      notify_customer: false,
      tracking_info: {
        number: input.tracking.number,
        ...(input.tracking.company ? { company: input.tracking.company } : {}),
        ...(input.tracking.url ? { url: input.tracking.url } : {}),
      },
      line_items_by_fulfillment_order: input.fulfillmentOrderIds.map((id) => ({ fulfillment_order_id: id })),
    },
  }
  const response = await shopifyRequest(context, `/admin/api/${context.settings.apiVersion}/fulfillments.json`, {
    json: body,
  })
  return response.json<{ fulfillment: { id: string | number; status: string } }>().fulfillment
}

/** The order's note (Shopify keeps one text per order). */
export async function fetchOrderNote(context: Context, orderId: string): Promise<string> {
  const response = await shopifyRequest(context, `/admin/api/${context.settings.apiVersion}/orders/${orderId}.json`, {
    query: { fields: 'id,note' },
  })
  return response.json<{ order: { note?: string | null } }>().order.note ?? ''
}

/** Adds a paragraph to the order's note, unless the note has it already. */
export async function appendOrderNote(context: Context, orderId: string, text: string) {
  const note = await fetchOrderNote(context, orderId)
  if (note.includes(text)) return
  await shopifyRequest(context, `/admin/api/${context.settings.apiVersion}/orders/${orderId}.json`, {
    method: 'PUT',
    json: { order: { id: orderId, note: note ? `${note}\n\n${text}` : text } },
  })
}
