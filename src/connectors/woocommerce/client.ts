/**
 * WooCommerce REST v3 calls: Basic auth with the consumer key and secret, page-number paging
 * with `X-WP-TotalPages` (per_page at most 100), orders, products, categories, notes, updates.
 */
import type { HttpClient } from '../../core/http-client'
import type { WooCredentials } from './schemas'

export const WOO_PAGE_SIZE = 100
const API = '/wp-json/wc/v3'

export function wooHeaders(credentials: WooCredentials) {
  return { authorization: `Basic ${btoa(`${credentials.consumerKey}:${credentials.consumerSecret}`)}` }
}

export async function fetchWooPage(
  http: HttpClient,
  credentials: WooCredentials,
  resource: 'orders' | 'products' | 'products/categories',
  query: Record<string, string | number | (string | number)[]>
) {
  const response = await http.request(`${API}/${resource}`, {
    query: { per_page: WOO_PAGE_SIZE, ...query },
    headers: wooHeaders(credentials),
  })
  const totalPages = Number(response.headers.get('x-wp-totalpages') ?? 1)
  return { items: response.json<unknown[]>(), totalPages }
}

export async function fetchWooOrder(http: HttpClient, credentials: WooCredentials, orderId: string) {
  const response = await http.request(`${API}/orders/${orderId}`, { headers: wooHeaders(credentials), accept: [404] })
  return response.status === 404 ? null : response.json<unknown>()
}

export async function addWooOrderNote(http: HttpClient, credentials: WooCredentials, orderId: string, note: string) {
  await http.request(`${API}/orders/${orderId}/notes`, {
    json: { note, customer_note: false },
    headers: wooHeaders(credentials),
  })
}

/** Whether the order already has a note with exactly this text (a retry after a lost answer asks first). */
export async function wooOrderHasNote(http: HttpClient, credentials: WooCredentials, orderId: string, note: string) {
  const response = await http.request(`${API}/orders/${orderId}/notes`, { headers: wooHeaders(credentials) })
  const notes = response.json<{ note?: string | null }[]>()
  return Array.isArray(notes) && notes.some((entry) => entry.note === note)
}

export async function updateWooOrder(
  http: HttpClient,
  credentials: WooCredentials,
  orderId: string,
  changes: Record<string, unknown>
) {
  const response = await http.request(`${API}/orders/${orderId}`, {
    method: 'PUT',
    json: changes,
    headers: wooHeaders(credentials),
  })
  return response.json<{ status: string; meta_data?: { key: string; value: unknown }[] }>()
}
