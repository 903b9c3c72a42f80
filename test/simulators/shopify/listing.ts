/**
 * `GET orders.json` semantics: filters (status defaults to `open`), id-ascending order, and
 * Shopify's cursor paging. The opaque `page_info` carries the first request's filters, so a
 * `page_info` request may only add `limit` and `fields`.
 */
import { compareIds } from './json'

type Order = Record<string, unknown>

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

const FILTERS = [
  'ids',
  'since_id',
  'created_at_min',
  'created_at_max',
  'updated_at_min',
  'updated_at_max',
  'processed_at_min',
  'processed_at_max',
  'status',
  'financial_status',
  'fulfillment_status',
  'attribution_app_id',
  'name',
]
const STATUS = ['open', 'closed', 'cancelled', 'any']
const FINANCIAL = [
  'authorized',
  'pending',
  'paid',
  'partially_paid',
  'refunded',
  'voided',
  'partially_refunded',
  'unpaid',
  'any',
]
const FULFILLMENT = ['shipped', 'partial', 'unshipped', 'unfulfilled', 'fulfilled', 'any']

type Cursor = { f: Record<string, string>; a?: string; b?: string }

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
}

const invalid = (param: string, message: string) => new ApiError(400, { errors: { [param]: message } })

function time(value: unknown): number {
  return typeof value === 'string' ? Date.parse(value) : NaN
}

/** Applies the list filters; throws ApiError(400) for values Shopify would reject. */
export function filterOrders(orders: Order[], filters: Record<string, string>): Order[] {
  const status = filters.status ?? 'open'
  if (!STATUS.includes(status)) throw invalid('status', `status must be one of ${STATUS.join(', ')}`)
  const financial = filters.financial_status ?? 'any'
  if (!FINANCIAL.includes(financial)) throw invalid('financial_status', 'is not included in the list')
  const fulfillment = filters.fulfillment_status ?? 'any'
  if (!FULFILLMENT.includes(fulfillment)) throw invalid('fulfillment_status', 'is not included in the list')
  const bounds: [string, string, (a: number, b: number) => boolean][] = []
  for (const field of ['created_at', 'updated_at', 'processed_at']) {
    for (const [suffix, test] of [
      ['_min', (a: number, b: number) => a >= b],
      ['_max', (a: number, b: number) => a <= b],
    ] as const) {
      const value = filters[field + suffix]
      if (value === undefined) continue
      if (Number.isNaN(Date.parse(value))) throw invalid(field + suffix, 'is not a valid date')
      bounds.push([field, value, test])
    }
  }
  if (filters.since_id !== undefined && !/^\d+$/.test(filters.since_id)) throw invalid('since_id', 'is not a number')
  const ids =
    filters.ids !== undefined
      ? new Set(
          filters.ids
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean)
        )
      : null
  const name = filters.name?.replace(/^#?/, '#')

  return orders.filter((order) => {
    if (status === 'open' && (order.closed_at || order.cancelled_at)) return false
    if (status === 'closed' && !order.closed_at) return false
    if (status === 'cancelled' && !order.cancelled_at) return false
    const paid = order.financial_status
    if (
      financial === 'unpaid'
        ? !['authorized', 'pending', 'partially_paid'].includes(String(paid))
        : financial !== 'any' && paid !== financial
    )
      return false
    const shipped = order.fulfillment_status ?? null
    if ((fulfillment === 'shipped' || fulfillment === 'fulfilled') && shipped !== 'fulfilled') return false
    if (fulfillment === 'partial' && shipped !== 'partial') return false
    if (fulfillment === 'unshipped' && shipped !== null) return false
    if (fulfillment === 'unfulfilled' && shipped !== null && shipped !== 'partial') return false
    for (const [field, value, test] of bounds)
      if (!test(time(order[field] ?? order.created_at), Date.parse(value))) return false
    if (filters.since_id !== undefined && compareIds(order.id, filters.since_id) <= 0) return false
    if (ids && !ids.has(String(order.id))) return false
    if (name && order.name !== name) return false
    if (filters.attribution_app_id !== undefined && String(order.app_id) !== filters.attribution_app_id) return false
    return true
  })
}

/** How a REST list filters its resources (orders by default; products in shopify/products.ts). */
export type ListFilters = { names: string[]; apply(items: Order[], filters: Record<string, string>): Order[] }
const ORDER_FILTERS: ListFilters = { names: FILTERS, apply: filterOrders }

/** One page of `orders` (already sorted by id) for the query, with Shopify's `Link` header value. */
export function pageOrders(
  sorted: Order[],
  params: URLSearchParams,
  linkBase: string,
  listFilters: ListFilters = ORDER_FILTERS
): { orders: Order[]; link: string | null } {
  const limitText = params.get('limit')
  const limit = limitText === null ? 50 : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > 250)
    throw invalid('limit', 'must be an integer between 1 and 250')

  const pageInfo = params.get('page_info')
  let cursor: Cursor
  if (pageInfo !== null) {
    for (const key of params.keys()) {
      if (!['page_info', 'limit', 'fields'].includes(key)) {
        throw invalid(
          key,
          `${key} cannot be passed when page_info is present. See https://shopify.dev/api/usage/pagination-rest for more information.`
        )
      }
    }
    try {
      cursor = JSON.parse(fromBase64url(pageInfo)) as Cursor
      if (!cursor || typeof cursor.f !== 'object') throw new Error('bad cursor')
    } catch {
      throw invalid('page_info', 'Invalid value.')
    }
  } else {
    const filters: Record<string, string> = {}
    for (const key of listFilters.names) {
      const value = params.get(key)
      if (value !== null) filters[key] = value
    }
    cursor = { f: filters }
  }

  const matched = listFilters.apply(sorted, cursor.f)
  let page: Order[]
  if (cursor.a !== undefined) page = matched.filter((order) => compareIds(order.id, cursor.a) > 0).slice(0, limit)
  else if (cursor.b !== undefined) page = matched.filter((order) => compareIds(order.id, cursor.b) < 0).slice(-limit)
  else page = matched.slice(0, limit)

  const links: string[] = []
  if (page.length) {
    const fields = params.get('fields')
    const href = (position: Omit<Cursor, 'f'>) =>
      `${linkBase}?limit=${limit}${fields ? `&fields=${encodeURIComponent(fields)}` : ''}&page_info=${base64url(JSON.stringify({ f: cursor.f, ...position }))}`
    const first = String(page[0].id)
    const last = String(page[page.length - 1].id)
    if (compareIds(matched[0].id, first) < 0) links.push(`<${href({ b: first })}>; rel="previous"`)
    if (compareIds(matched[matched.length - 1].id, last) > 0) links.push(`<${href({ a: last })}>; rel="next"`)
  }
  return { orders: page, link: links.length ? links.join(', ') : null }
}

/** Keeps only the comma-separated `fields` of an order (all of them without `fields`). */
export function pickFields(order: Order, fields: string | null): Order {
  if (!fields) return order
  const wanted = fields
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean)
  return Object.fromEntries(wanted.filter((field) => field in order).map((field) => [field, order[field]]))
}
