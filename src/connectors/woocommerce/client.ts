/**
 * WooCommerce REST v3 calls: Basic auth with the consumer key and secret, page-number paging
 * with `X-WP-TotalPages` (per_page at most 100), orders, products and their variations,
 * categories, notes, updates.
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
  resource: 'orders' | 'products' | 'products/categories' | `products/${string}/variations`,
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

/** One product (or variation) by id; null when the site has none. */
export async function fetchWooProduct(http: HttpClient, credentials: WooCredentials, productId: string) {
  const response = await http.request(`${API}/products/${encodeURIComponent(productId)}`, {
    headers: wooHeaders(credentials),
    accept: [404],
  })
  return response.status === 404 ? null : response.json<unknown>()
}

export async function addWooOrderNote(http: HttpClient, credentials: WooCredentials, orderId: string, note: string) {
  await http.request(`${API}/orders/${orderId}/notes`, {
    json: { note, customer_note: false },
    headers: wooHeaders(credentials),
  })
}

/** The order's notes (`GET /orders/<id>/notes`), to tell whether a note was added already. */
export async function listWooOrderNotes(http: HttpClient, credentials: WooCredentials, orderId: string) {
  const response = await http.request(`${API}/orders/${orderId}/notes`, { headers: wooHeaders(credentials) })
  const notes = (await response.json()) as unknown
  return Array.isArray(notes)
    ? notes.flatMap((note) => (typeof note?.note === 'string' ? [note.note as string] : []))
    : []
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
