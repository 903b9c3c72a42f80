/**
 * Shopify Admin REST calls Kontor makes: order pages (Link-header cursor paging), one order,
 * fulfilment orders and fulfilments. 429s are retried by the shared HTTP client (Retry-After).
 */
import type { HttpClient } from '../../core/http-client'
import type { ShopifyCredentials, ShopifySettings } from './schemas'

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

export type OrdersPageQuery = { pageInfo: string } | { filters: Record<string, string> }

export async function fetchOrdersPage(
  http: HttpClient,
  credentials: ShopifyCredentials,
  settings: ShopifySettings,
  query: OrdersPageQuery
) {
  // A page_info request may carry only limit and fields; filters belong to the first request.
  const params =
    'pageInfo' in query
      ? { page_info: query.pageInfo, limit: SHOPIFY_PAGE_SIZE }
      : { ...query.filters, limit: SHOPIFY_PAGE_SIZE }
  const response = await http.request(`/admin/api/${settings.apiVersion}/orders.json`, {
    query: params,
    headers: shopifyHeaders(credentials),
  })
  const { orders } = response.json<{ orders: unknown[] }>()
  return { orders, nextPageInfo: nextPageInfo(response.headers.get('link')) }
}

export async function fetchOrder(
  http: HttpClient,
  credentials: ShopifyCredentials,
  settings: ShopifySettings,
  orderId: string
) {
  const response = await http.request(`/admin/api/${settings.apiVersion}/orders/${orderId}.json`, {
    headers: shopifyHeaders(credentials),
    accept: [404],
  })
  return response.status === 404 ? null : response.json<{ order: unknown }>().order
}

type FulfillmentOrder = { id: string | number; status: string; supported_actions?: string[] }

export async function fetchOpenFulfillmentOrders(
  http: HttpClient,
  credentials: ShopifyCredentials,
  settings: ShopifySettings,
  orderId: string
) {
  const response = await http.request(`/admin/api/${settings.apiVersion}/orders/${orderId}/fulfillment_orders.json`, {
    headers: shopifyHeaders(credentials),
  })
  const { fulfillment_orders } = response.json<{ fulfillment_orders: FulfillmentOrder[] }>()
  return fulfillment_orders.filter(
    (order) =>
      ['open', 'in_progress'].includes(order.status) &&
      (order.supported_actions?.includes('create_fulfillment') ?? true)
  )
}

export async function createFulfillment(
  http: HttpClient,
  credentials: ShopifyCredentials,
  settings: ShopifySettings,
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
  const response = await http.request(`/admin/api/${settings.apiVersion}/fulfillments.json`, {
    json: body,
    headers: shopifyHeaders(credentials),
  })
  return response.json<{ fulfillment: { id: string | number; status: string } }>().fulfillment
}
