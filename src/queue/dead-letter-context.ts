/**
 * What a dead letter is about, read from the message it holds: the step that failed (from the
 * message's type), the connection and the order (from the ids it carries, through the rows they
 * name), and the error in words. Derived when read, so letters written before this existed show
 * the same context; the dashboard, the API and the replay filters all read it from here.
 */
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import {
  connections,
  deadLetters,
  handovers,
  inbox,
  orderEvents,
  orders,
  tenants,
  webhookDeliveries,
  webhookEndpoints,
} from '../db/schema'
import type { DispatchMessage, IngestMessage, SyncMessage } from './messages'

type MessageType = (IngestMessage | DispatchMessage | SyncMessage)['type']

/** Each step an operator can replay by, in words, with the message types that make it. */
export const DEAD_LETTER_STEPS = {
  import: { label: 'import of a webhook delivery', types: ['webhook', 'delivery'] },
  'poll-page': { label: 'import of a poll or backfill page', types: ['page'] },
  handover: { label: 'hand-over', types: ['handover'] },
  'handover-update': { label: 'update of a handed-over order', types: ['update'] },
  'handover-cancel': { label: 'cancellation at the destination', types: ['cancel'] },
  'destination-poll': { label: "reading a destination's reports", types: ['destination-poll'] },
  'write-back': { label: 'write-back', types: ['write-back'] },
  'hub-delivery': { label: 'hub webhook delivery', types: ['hub-delivery'] },
  'product-send': { label: 'product send', types: ['warehouse-products'] },
  'stock-run': { label: 'stock run', types: ['stock-run'] },
  'stock-read': { label: 'stock read', types: ['stock-read'] },
  'stock-write': { label: 'stock write', types: ['stock-push'] },
  'stock-reconcile': { label: 'stock reconciliation', types: ['stock-reconcile'] },
} as const satisfies Record<string, { label: string; types: readonly MessageType[] }>

export type DeadLetterStep = keyof typeof DEAD_LETTER_STEPS
export const DEAD_LETTER_STEP_IDS = Object.keys(DEAD_LETTER_STEPS) as [DeadLetterStep, ...DeadLetterStep[]]

/** The step of a message type; null for a message of no known type. */
export function stepOf(messageType: string | null): DeadLetterStep | null {
  const found = Object.entries(DEAD_LETTER_STEPS).find(([, step]) =>
    (step.types as readonly string[]).includes(messageType ?? '')
  )
  return (found?.[0] as DeadLetterStep | undefined) ?? null
}

const ERROR_CLASS = /^([A-Z][A-Za-z]*Error): /

/** The error's class as the consumer recorded it (`RetryableError: …` → `RetryableError`), if it names one. */
export function errorClassOf(error: string | null): string | null {
  return error?.match(ERROR_CLASS)?.[1] ?? null
}

/** The reason without the error's class name, which means nothing to an operator. */
export function errorInWords(error: string | null): string {
  return (error ?? '').replace(ERROR_CLASS, '')
}

/** What replays (and the lists) can be narrowed to; every given one must hold. */
export type DeadLetterFilter = {
  /** Created at or after (ISO). */
  since?: string
  connectionId?: string
  step?: DeadLetterStep
  /** The exact error text, as recorded. */
  error?: string
  errorClass?: string
}

const fromMessage = (key: string) => sql`json_extract(${deadLetters.body}, ${`$.${key}`})`

/** The order a message concerns: that of its hand-over, its order event or its hub delivery. */
const contextOrderId = sql<
  string | null
>`coalesce(${handovers.orderId}, ${orderEvents.orderId}, ${webhookDeliveries.orderId})`

/**
 * The connection a message concerns: named in it (pages, deliveries, polls, warehouse work), or
 * its webhook delivery's, its hand-over's destination, its hub endpoint, or the order's source
 * (a write-back). A hub endpoint is no connection, but it is what the operator looks for.
 */
const contextConnectionId = sql<string | null>`coalesce(
  ${fromMessage('connectionId')}, ${fromMessage('destinationId')}, ${fromMessage('warehouseId')},
  ${inbox.connectionId}, ${handovers.destinationId}, ${webhookDeliveries.endpointId}, ${orders.connectionId})`

/** Dead letters with their context, one round trip: each join is a look-up by primary key. */
export function deadLettersInContext(db: Database) {
  return db
    .select({
      row: deadLetters,
      tenantName: tenants.name,
      messageType: sql<string | null>`${fromMessage('type')}`,
      connectionId: contextConnectionId,
      connectionName: sql<string | null>`coalesce(${connections.name}, ${webhookEndpoints.url})`,
      /** `hub`: the id is a hub endpoint's, whose page is /hub/{id}. */
      connectionKind: sql<'connection' | 'hub' | null>`case when ${connections.id} is not null then 'connection'
        when ${webhookEndpoints.id} is not null then 'hub' end`,
      orderId: sql<string | null>`${orders.id}`,
      orderNumber: orders.number,
      deliveryKey: sql<string | null>`coalesce(${fromMessage('deliveryKey')}, ${inbox.deliveryKey})`,
    })
    .from(deadLetters)
    .leftJoin(tenants, eq(tenants.id, deadLetters.tenantId))
    .leftJoin(inbox, eq(inbox.id, fromMessage('inboxId')))
    .leftJoin(handovers, eq(handovers.id, fromMessage('handoverId')))
    .leftJoin(orderEvents, eq(orderEvents.id, fromMessage('eventId')))
    .leftJoin(webhookDeliveries, eq(webhookDeliveries.id, fromMessage('deliveryId')))
    .leftJoin(orders, eq(orders.id, contextOrderId))
    .leftJoin(connections, eq(connections.id, contextConnectionId))
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, contextConnectionId))
}

export type DeadLetterInContext = Awaited<ReturnType<ReturnType<typeof deadLettersInContext>['all']>>[number]

/** The filter as SQL over deadLettersInContext's joins. */
export function deadLetterMatch(filter: DeadLetterFilter): SQL | undefined {
  return and(
    filter.since ? sql`${deadLetters.createdAt} >= ${filter.since}` : undefined,
    filter.connectionId ? eq(contextConnectionId, filter.connectionId) : undefined,
    filter.step ? inArray(fromMessage('type'), [...DEAD_LETTER_STEPS[filter.step].types]) : undefined,
    filter.error ? eq(deadLetters.error, filter.error) : undefined,
    filter.errorClass
      ? sql`substr(${deadLetters.error}, 1, ${filter.errorClass.length + 2}) = ${`${filter.errorClass}: `}`
      : undefined
  )
}

/** The context of one listed letter as the API and the dashboard show it. */
export function presentContext(entry: DeadLetterInContext) {
  const step = stepOf(entry.messageType)
  return {
    step,
    stepLabel: step ? DEAD_LETTER_STEPS[step].label : (entry.messageType ?? entry.row.queue),
    connectionId: entry.connectionId,
    connectionName: entry.connectionName,
    connectionKind: entry.connectionKind,
    orderId: entry.orderId,
    orderNumber: entry.orderNumber,
    deliveryKey: entry.deliveryKey,
    errorClass: errorClassOf(entry.row.error),
    reason: errorInWords(entry.row.error),
  }
}
