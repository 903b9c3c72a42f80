/**
 * The delivery log as the API and the dashboard read it (issue 19): a tenant's inbound webhook
 * requests, newest first, paged by (time, id) and filtered by connection and result; and one
 * request in full: its headers (masked when recorded), its body (the inbox row's for an accepted
 * delivery, the stored prefix for a refused one), the answer, and what it became — the orders it
 * imported, their import-log lines, the dead letter of a delivery given up on, and the other
 * requests that brought the same delivery.
 */
import { and, asc, desc, eq, getTableColumns, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { afterCursor, keysetPage } from '../db/keyset'
import { deadLetters, importLog, inboundDeliveries, inbox, orders } from '../db/schema'
import { STORED_BODY_BYTES } from '../delivery-log/record'
import { connectionNamesQuery } from './connection-names'

export type DeliveryLogFilters = { connectionId?: string; result?: string; cursor?: string }

/** The inbox row an accepted delivery's body and outcome live in. */
const ofInbox = and(
  eq(inbox.connectionId, inboundDeliveries.connectionId),
  eq(inbox.deliveryKey, inboundDeliveries.deliveryKey)
)

/** Where the delivery stands in the INGEST pipeline; null for a request that never reached it. */
const processing = sql<'imported' | 'closed' | 'dead-lettered' | 'pending' | null>`case
  when ${inbox.id} is null then null
  when ${inbox.finalReason} is not null then 'closed'
  when ${inbox.processedAt} is not null then 'imported'
  when ${inbox.deadLetteredAt} is not null then 'dead-lettered'
  else 'pending' end`.as('processing')

function listQuery(db: Database, tenantId: string, filters: DeliveryLogFilters, limit: number) {
  const {
    headers: _headers,
    body: _body,
    answerBody: _answer,
    tenantId: _tenant,
    ...summary
  } = getTableColumns(inboundDeliveries)
  return db
    .select({ ...summary, processing })
    .from(inboundDeliveries)
    .leftJoin(inbox, ofInbox)
    .where(
      and(
        eq(inboundDeliveries.tenantId, tenantId),
        filters.connectionId ? eq(inboundDeliveries.connectionId, filters.connectionId) : undefined,
        filters.result ? eq(inboundDeliveries.result, filters.result) : undefined,
        afterCursor(filters.cursor, inboundDeliveries.receivedAt, inboundDeliveries.id)
      )
    )
    .orderBy(desc(inboundDeliveries.receivedAt), desc(inboundDeliveries.id))
    .limit(limit + 1)
}

export async function listDeliveries(db: Database, tenantId: string, filters: DeliveryLogFilters, limit: number) {
  const rows = await listQuery(db, tenantId, filters, limit)
  const { page, nextCursor } = keysetPage(rows, limit, (row) => [row.receivedAt, row.id])
  return { items: page, nextCursor }
}

/** The dashboard's list: the rows and the tenant's connections (names, filter), one round trip. */
export async function deliveryLogView(db: Database, tenantId: string, filters: DeliveryLogFilters, limit: number) {
  const [connections, rows] = await db.batch([
    connectionNamesQuery(db, tenantId),
    listQuery(db, tenantId, filters, limit),
  ])
  const { page, nextCursor } = keysetPage(rows, limit, (row) => [row.receivedAt, row.id])
  return { connections, page, nextCursor }
}

const LINKED = 50

/** One request with everything it links to; null when the tenant has no such request. */
export async function deliveryDetail(db: Database, tenantId: string, id: string) {
  const found = await db
    .select({
      delivery: inboundDeliveries,
      inbox: {
        id: inbox.id,
        body: inbox.body,
        receivedAt: inbox.receivedAt,
        processedAt: inbox.processedAt,
        deadLetteredAt: inbox.deadLetteredAt,
        finalReason: inbox.finalReason,
        outcome: inbox.outcome,
      },
      processing,
    })
    .from(inboundDeliveries)
    .leftJoin(inbox, ofInbox)
    .where(and(eq(inboundDeliveries.id, id), eq(inboundDeliveries.tenantId, tenantId)))
    .get()
  if (!found) return null
  const { tenantId: _tenant, body: ownBody, ...delivery } = found.delivery
  const stored = found.inbox
  const outcome = stored?.outcome?.orders ?? []
  const externalIds = outcome.map((order) => order.externalId)
  const orderIds = outcome.map((order) => order.orderId)
  const failurePrefix = `webhook delivery ${delivery.deliveryKey} (`
  // The import-log lines of its orders written while it was imported, and the line of its failure.
  const until = stored?.processedAt ?? stored?.deadLetteredAt ?? new Date().toISOString()
  const [orderRows, logLines, letters, requests] = await db.batch([
    db
      .select({ id: orders.id, number: orders.number, externalId: orders.externalId, status: orders.status })
      .from(orders)
      .where(and(eq(orders.tenantId, tenantId), inArray(orders.id, orderIds.length ? orderIds : [''])))
      .limit(LINKED),
    db
      .select({ ...getTableColumns(importLog) })
      .from(importLog)
      .where(
        and(
          eq(importLog.tenantId, tenantId),
          eq(importLog.connectionId, delivery.connectionId),
          stored
            ? or(
                and(
                  sql`${importLog.externalId} in (select value from json_each(${JSON.stringify(externalIds)}))`,
                  sql`${importLog.at} between ${stored.receivedAt} and ${until}`
                ),
                and(
                  eq(importLog.result, 'failed'),
                  isNull(importLog.externalId),
                  sql`substr(${importLog.reason}, 1, ${failurePrefix.length}) = ${failurePrefix}`
                )
              )
            : sql`0`
        )
      )
      .orderBy(asc(importLog.at), asc(importLog.id))
      .limit(LINKED),
    db
      .select({
        id: deadLetters.id,
        error: deadLetters.error,
        attempts: deadLetters.attempts,
        createdAt: deadLetters.createdAt,
        replayedAt: deadLetters.replayedAt,
      })
      .from(deadLetters)
      .where(
        and(
          eq(deadLetters.tenantId, tenantId),
          eq(deadLetters.queue, 'ingest'),
          stored
            ? or(
                and(
                  sql`json_extract(${deadLetters.body}, '$.connectionId') = ${delivery.connectionId}`,
                  sql`json_extract(${deadLetters.body}, '$.deliveryKey') = ${delivery.deliveryKey}`
                ),
                sql`json_extract(${deadLetters.body}, '$.inboxId') = ${stored.id}`
              )
            : sql`0`
        )
      )
      .limit(LINKED),
    // Every request that brought this delivery (the platform's redeliveries), this one included.
    db
      .select({
        id: inboundDeliveries.id,
        receivedAt: inboundDeliveries.receivedAt,
        answerStatus: inboundDeliveries.answerStatus,
      })
      .from(inboundDeliveries)
      .where(
        and(
          eq(inboundDeliveries.tenantId, tenantId),
          eq(inboundDeliveries.connectionId, delivery.connectionId),
          delivery.deliveryKey ? eq(inboundDeliveries.deliveryKey, delivery.deliveryKey) : sql`0`
        )
      )
      .orderBy(asc(inboundDeliveries.receivedAt))
      .limit(LINKED),
  ])
  const body = stored
    ? stored.body
      ? { text: stored.body, source: 'inbox' as const, truncated: false }
      : { text: null, source: 'removed by retention' as const, truncated: false }
    : ownBody === null
      ? { text: null, source: 'not read' as const, truncated: false }
      : { text: ownBody, source: 'request' as const, truncated: delivery.bodyBytes > STORED_BODY_BYTES }
  return {
    ...delivery,
    processing: found.processing,
    body,
    inbox: stored
      ? {
          id: stored.id,
          processedAt: stored.processedAt,
          deadLetteredAt: stored.deadLetteredAt,
          finalReason: stored.finalReason,
        }
      : null,
    orders: outcome.map((entry) => {
      const row = orderRows.find((order) => order.id === entry.orderId)
      return { ...entry, number: row?.number ?? null, status: row?.status ?? null }
    }),
    importLog: logLines.map(({ tenantId: _owner, ...line }) => line),
    deadLetters: letters,
    requests,
  }
}

export type DeliveryDetail = NonNullable<Awaited<ReturnType<typeof deliveryDetail>>>
