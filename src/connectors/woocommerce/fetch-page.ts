/**
 * Backfill (WC1) and the poll that stands in for WooCommerce's missing webhook retries. Pages
 * are numbered (`page`, `X-WP-TotalPages`, 100 each); the poll asks for `modified_after` in GMT
 * with a lookback overlap and keeps the newest `date_modified_gmt` as its high-water mark. After
 * the orders, the products: all of them on backfill, those modified since on a poll (a lost
 * product webhook, and the catalogue a warehouse destination needs, WM4). A variable product's
 * variations are the articles: the variable products of a products page are kept in the token
 * and their variations read one page per call before the next products page.
 */
import type { ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { categoriesOfProducts, loadCategoryTree } from './catalog'
import { fetchWooPage } from './client'
import {
  WOO_BACKFILL_EXCLUDED,
  wooGmtToIso,
  wooOrderToRecord,
  wooProductToCanonical,
  wooVariationParent,
  type WooVariationParent,
} from './mapper'
import { isVariable, variationPage } from './variations'
import { type WooCredentials, type WooOrder, wooOrderSchema, wooProductSchema, type WooSettings } from './schemas'

export const WOO_POLL_LOOKBACK_MS = 10 * 60_000

type PageToken = {
  page: number
  from: string
  sweep?: 'orders' | 'products'
  /** Products sweep: the variable products of the current products page whose variations are still to read. */
  variable?: WooVariationParent[]
  variationPage?: number
  /** Products sweep: the products pages of this run, while variations are read. */
  lastPage?: number
}

function twoMonthsBefore(now: Date): Date {
  const from = new Date(now)
  from.setUTCMonth(from.getUTCMonth() - 2)
  return from
}

/** WooCommerce compares GMT dates without an offset when dates_are_gmt is set. */
const wooDate = (date: Date) => date.toISOString().slice(0, 19)

export async function fetchWooCommercePage(
  context: ConnectorContext<WooCredentials, WooSettings>,
  request: PageRequest
): Promise<PageResult> {
  const token: PageToken = request.pageToken
    ? JSON.parse(request.pageToken)
    : {
        page: 1,
        from: wooDate(
          request.mode === 'backfill'
            ? twoMonthsBefore(context.now())
            : new Date((request.since ? Date.parse(request.since) : context.now().getTime()) - WOO_POLL_LOOKBACK_MS)
        ),
      }
  if (token.sweep === 'products') return productPage(context, request, token)
  const filter: Record<string, string> =
    request.mode === 'backfill' ? { after: token.from } : { modified_after: token.from }
  const { items, totalPages } = await fetchWooPage(context.http, context.credentials, 'orders', {
    ...filter,
    dates_are_gmt: 'true',
    orderby: 'id',
    order: 'asc',
    status: 'any',
    page: token.page,
  })

  const orders: WooOrder[] = []
  const records: ImportRecord[] = []
  let highWater: string | null = null
  for (const item of items) {
    const parsed = wooOrderSchema.safeParse(item)
    if (!parsed.success) {
      records.push(unreadableRecord('order', null, parsed.error))
      continue
    }
    const modified = wooGmtToIso(parsed.data.date_modified_gmt)
    if (modified && (!highWater || modified > highWater)) highWater = modified
    if (request.mode === 'backfill' && WOO_BACKFILL_EXCLUDED.includes(parsed.data.status)) {
      records.push({
        kind: 'decision',
        about: 'order',
        externalId: parsed.data.id,
        result: 'skipped',
        rule: 'WC1',
        reason: `${parsed.data.status} orders are not part of the initial import`,
      })
      continue
    }
    orders.push(parsed.data)
  }
  const productIds = orders.flatMap((order) =>
    order.line_items.flatMap((line) => (line.product_id && line.product_id !== '0' ? [line.product_id] : []))
  )
  const categories = await categoriesOfProducts(context, productIds)
  for (const order of orders) records.push(wooOrderToRecord(order, (productId) => categories.get(productId) ?? null))

  const next: PageToken =
    token.page < totalPages ? { ...token, page: token.page + 1 } : { page: 1, from: token.from, sweep: 'products' }
  return { records, nextPageToken: JSON.stringify(next), highWater }
}

async function productPage(
  context: ConnectorContext<WooCredentials, WooSettings>,
  request: PageRequest,
  token: PageToken
): Promise<PageResult> {
  if (token.variable?.length) return variationsOf(context, token, token.variable)
  const { items, totalPages } = await fetchWooPage(context.http, context.credentials, 'products', {
    ...(request.mode === 'backfill' ? {} : { modified_after: token.from, dates_are_gmt: 'true' }),
    orderby: 'id',
    order: 'asc',
    page: token.page,
  })
  const tree = items.length ? await loadCategoryTree(context) : null
  const records: ImportRecord[] = []
  const variable: WooVariationParent[] = []
  let highWater: string | null = null
  for (const item of items) {
    const parsed = wooProductSchema.safeParse(item)
    if (!parsed.success) {
      records.push(unreadableRecord('product', null, parsed.error))
      continue
    }
    const modified = wooGmtToIso((item as { date_modified_gmt?: string | null }).date_modified_gmt ?? null)
    if (modified && (!highWater || modified > highWater)) highWater = modified
    if (isVariable(parsed.data)) variable.push(wooVariationParent(parsed.data, tree!))
    else records.push({ kind: 'product', product: wooProductToCanonical(parsed.data, tree!, context.settings) })
  }
  const next: PageToken | null = variable.length
    ? { ...token, variable, variationPage: 1, lastPage: totalPages }
    : token.page < totalPages
      ? { ...token, page: token.page + 1 }
      : null
  return { records, nextPageToken: next && JSON.stringify(next), highWater }
}

/** One page of the first variable product's variations; then the next one, then the next products page. */
async function variationsOf(
  context: ConnectorContext<WooCredentials, WooSettings>,
  token: PageToken,
  [parent, ...rest]: WooVariationParent[]
): Promise<PageResult> {
  const page = token.variationPage ?? 1
  const { records, totalPages } = await variationPage(context, parent, page)
  let next: PageToken | null
  if (page < totalPages) next = { ...token, variationPage: page + 1 }
  else if (rest.length) next = { ...token, variable: rest, variationPage: 1 }
  else if (token.page < (token.lastPage ?? token.page))
    next = { page: token.page + 1, from: token.from, sweep: 'products' }
  else next = null
  return { records, nextPageToken: next && JSON.stringify(next) }
}
