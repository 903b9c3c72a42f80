/**
 * BB2 / BB7 / BB3: each poll reads the orders in the configured state with the orders tag
 * (250 a page), leaving out those already tagged as received, then every product. Orders a
 * merchant re-tags for import (the received tag removed, BB8) come back on their own.
 */
import type { ImportRecord } from '../../core/model'
import type { ConnectorContext, PageRequest, PageResult } from '../types'
import { unreadableRecord } from '../unreadable'
import { BILLBEE_PAGE_SIZE, billbeeRequest } from './client'
import { billbeeOrderToCanonical, billbeeProductToRecord } from './mapper'
import { type BillbeeCredentials, billbeeOrderSchema, billbeeProductSchema, type BillbeeSettings } from './schemas'

type Sweep = 'orders' | 'products'
type PageToken = { sweep: Sweep; page: number }

export function receivedTag(settings: BillbeeSettings): string {
  return `order_received_by_${settings.ordersTag}`
}

async function orderRecords(context: ConnectorContext<BillbeeCredentials, BillbeeSettings>, page: number) {
  const { data, totalPages } = await billbeeRequest<unknown[]>(context, '/orders', {
    query: {
      orderStateId: context.settings.orderStateId,
      tag: context.settings.ordersTag,
      page,
      pageSize: BILLBEE_PAGE_SIZE,
    },
  })
  const received = receivedTag(context.settings).toLowerCase()
  const records: ImportRecord[] = []
  for (const raw of data ?? []) {
    const parsed = billbeeOrderSchema.safeParse(raw)
    if (!parsed.success) {
      records.push(unreadableRecord('order', null, parsed.error))
    } else if (!(parsed.data.Tags ?? []).some((tag) => tag.toLowerCase() === received)) {
      records.push({ kind: 'order', order: billbeeOrderToCanonical(parsed.data) })
    }
  }
  return { records, totalPages }
}

async function productRecords(context: ConnectorContext<BillbeeCredentials, BillbeeSettings>, page: number) {
  const { data, totalPages } = await billbeeRequest<unknown[]>(context, '/products', {
    query: { page, pageSize: BILLBEE_PAGE_SIZE },
  })
  const records: ImportRecord[] = (data ?? []).map((raw) => {
    const parsed = billbeeProductSchema.safeParse(raw)
    return parsed.success ? billbeeProductToRecord(parsed.data) : unreadableRecord('product', null, parsed.error)
  })
  return { records, totalPages }
}

export async function fetchBillbeePage(
  context: ConnectorContext<BillbeeCredentials, BillbeeSettings>,
  request: PageRequest
): Promise<PageResult> {
  const token: PageToken = request.pageToken ? JSON.parse(request.pageToken) : { sweep: 'orders', page: 1 }
  const { records, totalPages } =
    token.sweep === 'orders' ? await orderRecords(context, token.page) : await productRecords(context, token.page)
  let next: PageToken | null = null
  if (token.page < totalPages) next = { ...token, page: token.page + 1 }
  else if (token.sweep === 'orders') next = { sweep: 'products', page: 1 }
  return { records, nextPageToken: next ? JSON.stringify(next) : null, highWater: context.now().toISOString() }
}
