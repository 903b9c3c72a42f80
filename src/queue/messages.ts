/**
 * The messages that travel on Kontor's queues. Small on purpose (ids and cursors, never
 * payloads): a queue message holds at most 128 KB, and the data is already in D1.
 */
import type { SyncMode } from '../core/model'
import type { HubDeliveryRequest, WriteBackRequest } from '../orders/record-event'
import type { RequestRecord } from '../delivery-log/record'

/** A stored webhook delivery to import (a source's order, or a destination's report). */
export type WebhookMessage = { type: 'webhook'; inboxId: string }

/**
 * A verified webhook delivery carried whole (intake's fast path): the consumer stores it in the
 * inbox under its delivery key (a duplicate finds the row there) and then imports it.
 */
export type DeliveryMessage = {
  type: 'delivery'
  connectionId: string
  deliveryKey: string
  topic: string
  body: string
  receivedAt: string
  /** The request as the delivery log keeps it (absent in messages queued before the log existed). */
  request?: RequestRecord
}

/** One page of a poll or backfill run; the consumer enqueues the next page itself. */
export type PageMessage = {
  type: 'page'
  connectionId: string
  jobId: string
  mode: SyncMode
  pageToken: string | null
  since: string | null
  highWater: string | null
  page: number
}

export type IngestMessage = WebhookMessage | DeliveryMessage | PageMessage

/** Work for the DISPATCH consumer: everything that leaves the hub for a destination or an endpoint. */
export type DispatchMessage =
  /** Hand the order of a `handovers` row to its destination. */
  | { type: 'handover'; handoverId: string }
  /** Cancel a hand-over the source cancelled. */
  | { type: 'cancel'; handoverId: string }
  /** Send a platform change of an order on to the destination that holds it. */
  | { type: 'update'; handoverId: string }
  /** Read a destination's reports (poll fallback and confirmations), started by the cron. */
  | { type: 'destination-poll'; connectionId: string }
  /** Send one hub webhook delivery (HW1). */
  | HubDeliveryRequest
  /** Send the routed sources' new and changed products to a warehouse destination (WM4–WM5). */
  | { type: 'warehouse-products'; destinationId: string }
  /** ST1: start a stock run of a warehouse connection (what changed, or everything at night). */
  | { type: 'stock-run'; warehouseId: string; mode: 'changes' | 'full' }
  /** ST1: read the figures of some SKUs of a run. */
  | { type: 'stock-read'; warehouseId: string; jobId: string; skus: string[] }
  /** ST3: write the changed figures to every channel routed to the warehouse. */
  | { type: 'stock-push'; warehouseId: string; jobId: string | null }
  /** ST5: read every channel's own figures and record drift. */
  | { type: 'stock-reconcile'; warehouseId: string }

/** An order event to write back to the platform the order came from; the event is read from D1. */
export type SyncMessage = WriteBackRequest

export type QueueName = 'ingest' | 'dispatch' | 'sync'
