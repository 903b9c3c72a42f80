/**
 * Privacy requests (Shopify's mandatory compliance webhooks), carried out on what Kontor holds for
 * the connection they came through:
 * - `redact` (customers/redact): the orders named, and this connection's orders of the customer,
 *   lose their addresses (billing, shipping, the delivery's recipient) and their customer link,
 *   and their events' messages read "(redacted)"; the customer row is deleted once no order of
 *   any connection links to it any more (a customer the tenant also knows from another shop keeps
 *   the data that shop gave); stored webhook bodies that mention the customer or those orders
 *   are emptied; import-log reasons and outbound-call details about those orders read
 *   "(redacted)"; hub webhook bodies of those orders are dropped (a replay renders them anew).
 * - `shop_redact` (shop/redact, 48 h after the app was uninstalled): the same for every order,
 *   webhook body and log line of the connection.
 * - `data_request` (customers/data_request): what Kontor holds about the customer — customer
 *   rows, this connection's orders with lines and events, import-log lines — is stored in
 *   `data_requests` for the merchant to fetch (GET /api/v1/data-requests).
 * The compliance deliveries themselves keep their bodies until retention prunes them: they are
 * the record of the request.
 */
import { and, eq, gt, inArray, isNotNull, notInArray, or, type SQL, sql } from 'drizzle-orm'
import { randomId } from '../core/ids'
import type { ImportKind, ImportResult, PrivacyRequest } from '../core/model'
import { type Database, nowIso } from '../db/client'
import {
  customers,
  dataRequests,
  importLog,
  inbox,
  mappings,
  orderEvents,
  orders,
  outboundCalls,
  webhookDeliveries,
} from '../db/schema'
import { emailKey, phoneKey } from './match-keys'
import { orderId } from './store-order'

export const PRIVACY_TOPICS = ['customers/redact', 'customers/data_request', 'shop/redact']

const REDACTED = '(redacted)'
/** D1 binds at most 100 values per statement. */
const CHUNK = 80
/** Orders per statement when a whole shop is redacted. */
const SHOP_BATCH = 500
/** Orders a data request collects in full. */
const DATA_REQUEST_ORDERS = 250

type Scope = { tenantId: string; connectionId: string }
type LogEntry = { kind: ImportKind; externalId: string | null; result: ImportResult; reason: string }

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size))
  return out
}

/** Rows a statement with `returning` touched. */
async function touched(statement: Promise<unknown[]>): Promise<number> {
  return (await statement).length
}

/**
 * Empties the reasons of the connection's import-log lines that `about` selects (all of them when
 * nothing is), through the (connection, external id) index; how many it emptied.
 */
function redactLogLines(db: Database, scope: Scope, ...about: SQL[]): Promise<number> {
  return touched(
    db
      .update(importLog)
      .set({ reason: REDACTED })
      .where(and(eq(importLog.connectionId, scope.connectionId), ...about, isNotNull(importLog.reason)))
      .returning({ id: importLog.id })
  )
}

/** The tenant's customer rows the request is about: by email or phone key, or by the platform's id. */
async function matchCustomers(db: Database, scope: Scope, request: PrivacyRequest): Promise<string[]> {
  const email = emailKey(request.customer?.email)
  const phone = phoneKey(request.customer?.phone)
  const ids = new Set<string>()
  // One query per key, so each is a range of its own index (customers_email, customers_phone).
  const byKey: SQL[] = []
  if (email) byKey.push(eq(customers.emailKey, email))
  if (phone) byKey.push(eq(customers.phoneKey, phone))
  for (const key of byKey) {
    const rows = await db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.tenantId, scope.tenantId), key, eq(customers.notSpecified, false)))
    for (const row of rows) ids.add(row.id)
  }
  const externalId = request.customer?.externalId
  if (externalId) {
    // Customers imported on their own are mapped; a customer met in an order is on the order.
    const [mapped, ordered] = await db.batch([
      db
        .select({ id: mappings.internalId })
        .from(mappings)
        .where(
          and(
            eq(mappings.connectionId, scope.connectionId),
            eq(mappings.kind, 'customer'),
            eq(mappings.externalId, externalId)
          )
        ),
      db
        .selectDistinct({ id: orders.customerId })
        .from(orders)
        .where(and(eq(orders.connectionId, scope.connectionId), eq(orders.customerExternalId, externalId))),
    ])
    for (const row of [...mapped, ...ordered]) if (row.id) ids.add(row.id)
  }
  return [...ids]
}

/** This connection's orders the request names, and this connection's orders of those customers. */
async function matchOrders(
  db: Database,
  scope: Scope,
  request: PrivacyRequest,
  customerIds: string[]
): Promise<{ id: string; externalId: string; customerId: string | null }[]> {
  const found = new Map<string, { id: string; externalId: string; customerId: string | null }>()
  const columns = { id: orders.id, externalId: orders.externalId, customerId: orders.customerId }
  const named = await Promise.all(request.orderExternalIds.map((id) => orderId(scope.connectionId, id)))
  for (const ids of chunks(named)) {
    for (const row of await db.select(columns).from(orders).where(inArray(orders.id, ids))) found.set(row.id, row)
  }
  for (const ids of chunks(customerIds)) {
    // By customer alone (orders_customer); a filter on the connection would steer SQLite to orders_external.
    const rows = await db
      .select({ ...columns, connectionId: orders.connectionId })
      .from(orders)
      .where(inArray(orders.customerId, ids))
    for (const { connectionId, ...row } of rows) if (connectionId === scope.connectionId) found.set(row.id, row)
  }
  return [...found.values()]
}

/** Addresses and customer links of these orders, and what logs and hub bodies say about them. */
async function redactOrders(db: Database, scope: Scope, rows: { id: string; externalId: string }[]) {
  let orderCount = 0
  let logLines = 0
  for (const part of chunks(rows)) {
    const ids = part.map((row) => row.id)
    orderCount += await touched(
      db
        .update(orders)
        .set({
          billingAddress: null,
          shippingAddress: null,
          // The carrier and cost stay; the recipient goes.
          delivery: sql`json_remove(${orders.delivery}, '$.address')`,
          customerId: null,
          customerExternalId: null,
          revision: sql`${orders.revision} + 1`,
        })
        .where(inArray(orders.id, ids))
        .returning({ id: orders.id })
    )
    // Event messages may quote the recipient (delivery comments, address errors); tracking stays.
    logLines += await touched(
      db
        .update(orderEvents)
        .set({
          message: sql`case when ${orderEvents.message} is null then null else ${REDACTED} end`,
          data: sql`json_remove(${orderEvents.data}, '$.delivery.address', '$.address')`,
        })
        .where(inArray(orderEvents.orderId, ids))
        .returning({ id: orderEvents.id })
    )
    logLines += await touched(
      db
        .update(outboundCalls)
        .set({ detail: REDACTED })
        .where(and(inArray(outboundCalls.orderId, ids), isNotNull(outboundCalls.detail)))
        .returning({ id: outboundCalls.id })
    )
    logLines += await redactLogLines(
      db,
      scope,
      inArray(
        importLog.externalId,
        part.map((row) => row.externalId)
      )
    )
    await db.update(webhookDeliveries).set({ body: null }).where(inArray(webhookDeliveries.orderId, ids))
  }
  return { orderCount, logLines }
}

/** Deletes customer rows no order links to any more (the tenant's "not specified" customer stays). */
async function deleteUnlinkedCustomers(db: Database, customerIds: string[]): Promise<number> {
  let deleted = 0
  for (const ids of chunks([...new Set(customerIds)])) {
    const gone = await db
      .delete(customers)
      .where(
        and(
          inArray(customers.id, ids),
          eq(customers.notSpecified, false),
          sql`not exists (select 1 from ${orders} where ${orders.customerId} = ${customers.id})`
        )
      )
      .returning({ id: customers.id })
    deleted += gone.length
    if (gone.length)
      await db.delete(mappings).where(
        and(
          eq(mappings.kind, 'customer'),
          inArray(
            mappings.internalId,
            gone.map((row) => row.id)
          )
        )
      )
  }
  return deleted
}

/** Empties this connection's stored webhook bodies that contain any of `needles` (or all, without needles). */
async function redactInbox(db: Database, scope: Scope, needles: string[] | null): Promise<number> {
  const base = [
    eq(inbox.connectionId, scope.connectionId),
    // Literally the partial index's condition (inbox_body_kept), so SQLite uses it.
    sql`${inbox.body} <> ''`,
    notInArray(inbox.topic, PRIVACY_TOPICS),
  ]
  if (needles === null) {
    return touched(
      db
        .update(inbox)
        .set({ body: '' })
        .where(and(...base))
        .returning({ id: inbox.id })
    )
  }
  let emptied = 0
  for (const part of chunks(needles.filter((needle) => needle.length >= 3))) {
    emptied += await touched(
      db
        .update(inbox)
        .set({ body: '' })
        .where(and(...base, or(...part.map((needle) => sql`instr(${inbox.body}, ${needle}) > 0`))))
        .returning({ id: inbox.id })
    )
  }
  return emptied
}

async function redactCustomer(db: Database, scope: Scope, request: PrivacyRequest): Promise<string> {
  const customerIds = await matchCustomers(db, scope, request)
  const matched = await matchOrders(db, scope, request, customerIds)
  const linked = [...customerIds, ...matched.flatMap((row) => (row.customerId ? [row.customerId] : []))]
  const { orderCount, logLines: orderLogLines } = await redactOrders(db, scope, matched)
  // The log lines about the customer record itself (customer webhooks of other platforms, say).
  const externalId = request.customer?.externalId
  const logLines =
    orderLogLines +
    (externalId
      ? await redactLogLines(db, scope, eq(importLog.externalId, externalId), eq(importLog.kind, 'customer'))
      : 0)
  const deleted = await deleteUnlinkedCustomers(db, linked)
  const needles = [
    request.customer?.email,
    request.customer?.phone,
    ...request.orderExternalIds,
    ...matched.map((row) => row.externalId),
  ].filter((needle): needle is string => Boolean(needle))
  const bodies = await redactInbox(db, scope, [...new Set(needles)])
  const kept = new Set(linked).size - deleted
  return (
    `customers/redact: ${orderCount} order(s) without addresses and customer, ${deleted} customer(s) deleted` +
    (kept > 0 ? `, ${kept} kept for orders of other connections` : '') +
    `, ${bodies} webhook body(ies) emptied, ${logLines} log line(s) redacted`
  )
}

async function redactShop(db: Database, scope: Scope): Promise<string> {
  let orderCount = 0
  let logLines = 0
  const customerIds: string[] = []
  let after = ''
  for (;;) {
    // Keyset on (connection_id, external_id): the orders_external index, one batch at a time.
    const batch = await db
      .select({ id: orders.id, externalId: orders.externalId, customerId: orders.customerId })
      .from(orders)
      .where(and(eq(orders.connectionId, scope.connectionId), gt(orders.externalId, after)))
      .orderBy(orders.externalId)
      .limit(SHOP_BATCH)
    if (!batch.length) break
    for (const row of batch) if (row.customerId) customerIds.push(row.customerId)
    const redacted = await redactOrders(db, scope, batch)
    orderCount += redacted.orderCount
    logLines += redacted.logLines
    after = batch[batch.length - 1].externalId
  }
  logLines += await redactLogLines(db, scope)
  const deleted = await deleteUnlinkedCustomers(db, customerIds)
  const bodies = await redactInbox(db, scope, null)
  return (
    `shop/redact: ${orderCount} order(s) without addresses and customer, ${deleted} customer(s) deleted, ` +
    `${bodies} webhook body(ies) emptied, ${logLines} log line(s) redacted`
  )
}

async function collectData(db: Database, scope: Scope, request: PrivacyRequest, receivedAt: string) {
  const customerIds = await matchCustomers(db, scope, request)
  const matched = await matchOrders(db, scope, request, customerIds)
  const customerRows = []
  for (const ids of chunks(customerIds))
    customerRows.push(...(await db.select().from(customers).where(inArray(customers.id, ids))))
  const orderIds = matched.slice(0, DATA_REQUEST_ORDERS).map((row) => row.id)
  const orderRows = []
  for (const ids of chunks(orderIds)) {
    const [heads, events] = await db.batch([
      db.select().from(orders).where(inArray(orders.id, ids)),
      db.select().from(orderEvents).where(inArray(orderEvents.orderId, ids)),
    ])
    for (const head of heads) orderRows.push({ ...head, events: events.filter((event) => event.orderId === head.id) })
  }
  const logRows = []
  for (const part of chunks(matched.slice(0, DATA_REQUEST_ORDERS))) {
    logRows.push(
      ...(await db
        .select()
        .from(importLog)
        .where(
          and(
            eq(importLog.connectionId, scope.connectionId),
            inArray(
              importLog.externalId,
              part.map((row) => row.externalId)
            )
          )
        ))
    )
  }
  const externalId =
    request.requestId ?? `${request.customer?.externalId ?? request.customer?.email ?? ''}@${receivedAt}`
  const stored = await db
    .insert(dataRequests)
    .values({
      id: randomId('dr'),
      tenantId: scope.tenantId,
      connectionId: scope.connectionId,
      externalId,
      customer: {
        email: request.customer?.email ?? null,
        phone: request.customer?.phone ?? null,
        externalId: request.customer?.externalId ?? null,
      },
      data: {
        customers: customerRows,
        orders: orderRows,
        importLog: logRows,
        truncated: matched.length > DATA_REQUEST_ORDERS,
      },
      createdAt: nowIso(),
    })
    .onConflictDoNothing()
    .returning({ id: dataRequests.id })
  return stored.length
    ? `customers/data_request ${externalId}: ${customerRows.length} customer(s), ${orderRows.length} order(s) collected (GET /api/v1/data-requests/${stored[0].id})`
    : `customers/data_request ${externalId}: collected before`
}

/** Carries out a privacy request; the result is its import-log line (which names no personal data). */
export async function applyPrivacyRequest(
  db: Database,
  scope: Scope,
  request: PrivacyRequest,
  now = nowIso()
): Promise<LogEntry> {
  const reason =
    request.action === 'shop_redact'
      ? await redactShop(db, scope)
      : request.action === 'redact'
        ? await redactCustomer(db, scope, request)
        : await collectData(db, scope, request, now)
  return { kind: 'customer', externalId: request.customer?.externalId ?? null, result: 'updated', reason }
}
