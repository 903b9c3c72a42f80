/**
 * The one interface every platform implements. A connector turns a platform's wire format into
 * the canonical model (src/core/model.ts) and back; it knows nothing of D1, queues or HTTP
 * routing. Adding a platform is a folder under src/connectors/ and one line in registry.ts.
 */
import type { z } from 'zod'
import type { HttpClient } from '../core/http-client'
import type { ImportNote, ImportRecord, OrderEventType, OrderStatus, Platform, Tracking } from '../core/model'

/** What webhook intake knows of a request: nothing is parsed yet. */
export type WebhookRequest = {
  method: string
  /** The full URL called, for platforms that sign nothing and authenticate by a key in it (Cartum). */
  url: string
  headers: Headers
  body: Uint8Array
}

/** Intake's verdict. `accepted` is stored in the inbox under `deliveryKey` (the dedupe key). */
export type WebhookVerdict =
  | { kind: 'accepted'; deliveryKey: string; topic: string }
  /** A platform's unsigned hello (WooCommerce's ping): answered 200, stored as a log line only. */
  | { kind: 'ping' }
  /** Signed and valid, but a topic Kontor does not import: answered 200, stored nowhere. */
  | { kind: 'ignored'; reason: string }
  | { kind: 'unauthorized'; reason: string }

/** A stored webhook delivery, handed to the connector in the INGEST consumer. */
export type InboxEvent = { topic: string; body: string; receivedAt: string }

export type SyncMode = 'poll' | 'backfill'

export type PageRequest = {
  mode: SyncMode
  /** The connector's own token for the next page; null on the first page of a run. */
  pageToken: string | null
  /** Poll: the high-water mark of the last completed run (ISO time), null on the first poll. */
  since: string | null
}

export type PageResult = {
  records: ImportRecord[]
  /** Null when this was the last page. */
  nextPageToken: string | null
  /** The newest platform change time seen on this page; the next poll starts from the run's maximum. */
  highWater?: string | null
  notes?: ImportNote[]
}

/** The hub's view of an order, as a write-back needs it. */
export type OrderSnapshot = {
  id: string
  externalId: string
  number: string
  status: OrderStatus
  platformStatus: string | null
  writtenOff: boolean
  tracking: Tracking[]
  lines: { externalId: string | null; sku: string | null; quantity: number }[]
}

export type OrderEventInput = {
  type: OrderEventType
  message?: string | null
  tracking?: Tracking[]
  data?: Record<string, unknown> | null
}

export type WriteBackResult =
  { result: 'done'; detail?: string; platformStatus?: string | null } | { result: 'not_applicable'; detail: string }

/** Everything a connector may use at run time. */
export type ConnectorContext<Credentials, Settings> = {
  connection: { id: string; tenantId: string; platform: Platform }
  credentials: Credentials
  settings: Settings
  /** Fetch with the connection's base URL, timeouts, Retry-After and error classification. */
  http: HttpClient
  /** Encrypted per-connection state, e.g. a cached session token (never one login per call). */
  session: {
    get<T>(): Promise<T | null>
    set(value: unknown): Promise<void>
  }
  now(): Date
}

export interface Connector<Credentials = unknown, Settings = unknown> {
  readonly platform: Platform
  readonly credentialsSchema: z.ZodType<Credentials>
  /** Settings with their defaults; a 400 names the field that fails. */
  readonly settingsSchema: z.ZodType<Settings>
  /** Base URL of the platform's API for these credentials (settings.baseUrl overrides it). */
  apiBaseUrl(credentials: Credentials): string
  /** Extra credentials Kontor generates when none were given (e.g. a webhook secret). */
  generatedCredentials?(credentials: Partial<Credentials>): Partial<Credentials>

  /** The URL the merchant registers, when it must carry more than Kontor's webhook URL (Cartum's key). */
  registeredWebhookUrl?(webhookUrl: string, credentials: Credentials): string
  /** Verifies a webhook on the raw bytes. No I/O, no parsing beyond what dedupe needs. */
  verifyWebhook?(request: WebhookRequest, credentials: Credentials): Promise<WebhookVerdict>
  /** Turns a stored webhook delivery into import records (INGEST consumer). */
  parseWebhook?(event: InboxEvent, context: ConnectorContext<Credentials, Settings>): Promise<ImportRecord[]>
  /** One page of a poll or backfill run. */
  fetchPage?(context: ConnectorContext<Credentials, Settings>, request: PageRequest): Promise<PageResult>
  /**
   * The rule id under which platform changes to an order are ignored once the hub has moved it
   * past `new` (BB8: re-import only while not processing; PM3: not after the hand-over).
   */
  readonly ignoresChangesAfterNew?: string
  /**
   * The rule id under which an imported order is never updated from the platform again, except
   * for a cancellation (PM3: after the hand-over, later plenty changes are not imported).
   */
  readonly importsOnce?: string
  /**
   * The rule id under which a platform cancellation is a request the hub may refuse: an order
   * already in processing or shipped stays as it is and gets a `cancel_refused` event (PM5).
   */
  readonly cancellationsAreRequests?: string
  /**
   * The rule id under which a product update is rejected when it would give the product an SKU
   * or EAN another product of the tenant already has (BB4: Billbee requires both to be unique).
   */
  readonly rejectsDuplicateProductCodes?: string
  /** How often the cron polls this connection, in minutes. */
  pollIntervalMinutes?(settings: Settings): number
  /**
   * Runs after an order was imported (or found unchanged), e.g. to tag it as received on the
   * platform (BB7). It must be idempotent: a retried message runs it again.
   */
  afterOrderImported?(
    context: ConnectorContext<Credentials, Settings>,
    order: OrderSnapshot,
    result: 'created' | 'updated' | 'unchanged'
  ): Promise<void>
  /** Writes an order event back to the platform the order came from (SYNC consumer). */
  writeBack?(
    context: ConnectorContext<Credentials, Settings>,
    order: OrderSnapshot,
    event: OrderEventInput
  ): Promise<WriteBackResult>
}

/** Settings every connector understands; connectors extend their schema with these. */
export type CommonSettings = { baseUrl?: string }
