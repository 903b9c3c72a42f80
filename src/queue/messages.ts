/**
 * The messages that travel on Kontor's queues. Small on purpose (ids and cursors, never
 * payloads): a queue message holds at most 128 KB, and the data is already in D1.
 */
import type { OrderEventInput, SyncMode } from '../connectors/types'

/** A stored webhook delivery to import. */
export type WebhookMessage = { type: 'webhook'; inboxId: string }

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

export type IngestMessage = WebhookMessage | PageMessage

/** An imported order to hand on to a destination connection. */
export type DispatchMessage = { type: 'dispatch'; orderId: string; destinationId: string }

/** An order event to write back to the platform the order came from. */
export type SyncMessage = { type: 'write-back'; orderId: string; eventId: string; event: OrderEventInput }

export type QueueName = 'ingest' | 'dispatch' | 'sync'
