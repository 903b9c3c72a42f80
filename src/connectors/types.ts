/**
 * The interfaces every platform implements. A connector turns a platform's wire format into the
 * canonical model (src/core/model.ts) and back; it knows nothing of D1, queues or HTTP routing.
 * A platform is a source (orders come from it: shops and shop back-ends) or a destination
 * (orders are handed to it: the warehouse, subscriptions); a connection's role follows from its
 * platform. Adding a platform is a folder under src/connectors/ and one line in registry.ts.
 */
import type { z } from 'zod'
import type { HttpClient } from '../core/http-client'
import type { Pacer } from '../pacing/pacer'
import type { ImportPolicy } from '../core/import-policy'
import type {
  HandoverOrder,
  HandoverState,
  ImportNote,
  ImportRecord,
  OrderEventInput,
  OrderSnapshot,
  Platform,
  SyncMode,
  WriteBackResult,
} from '../core/model'

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

/**
 * Everything a connector may use at run time: ports, built outside src/connectors
 * (src/connector-runtime/context.ts), so a connector never reaches for D1, the env or a binding.
 */
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
  /**
   * The pacer of a platform account on this connection's platform, shared by every isolate:
   * `account` names it (hashed when `secret`, e.g. an API key).
   */
  pacer(account: string[], options: { secret: boolean }): Promise<Pacer>
  now(): Date
}

/**
 * Runs an outbound call that the platform would repeat if it were sent twice (a note, a shipping
 * package, a goods order). The step is recorded before it runs and skipped once it is done; when
 * an earlier attempt started but never recorded its end, `alreadyDone` asks the platform first.
 */
export type OutboundSteps = {
  once(
    step: string,
    run: () => Promise<string | void>,
    options?: { alreadyDone?: () => Promise<boolean> }
  ): Promise<{ skipped: boolean }>
}

/** The webhooks Kontor registers at the platform when a connection is created (issue: registration). */
export type WebhookRegistration<Credentials, Settings> = {
  /** Registers Kontor's webhooks; returns the platform's ids of what it registered. */
  register(context: ConnectorContext<Credentials, Settings>, webhookUrl: string): Promise<string[]>
  /**
   * Removes them again when the connection is deleted. `webhookUrl` is the URL they were
   * registered with, where it is known (Cartum removes a hook only with its id and URL).
   */
  unregister(
    context: ConnectorContext<Credentials, Settings>,
    registeredIds: string[],
    webhookUrl?: string
  ): Promise<void>
  /**
   * Whether a registration holds every webhook Kontor registers today (absent: it does); one
   * made before a topic was added is registered again by the cron.
   */
  current?(context: ConnectorContext<Credentials, Settings>, registeredIds: string[]): boolean
  /** Ids still registered and active; a missing or disabled one is registered again by the cron. */
  active(
    context: ConnectorContext<Credentials, Settings>,
    registeredIds: string[],
    webhookUrl: string
  ): Promise<string[]>
}

/** What every connector has, whatever its role. */
type ConnectorBase<Credentials, Settings> = {
  readonly platform: Platform
  readonly credentialsSchema: z.ZodType<Credentials>
  /** Settings with their defaults; a 400 names the field that fails. */
  readonly settingsSchema: z.ZodType<Settings>
  /** Stricter settings for a connection being made (a field that stored connections may lack). */
  readonly newSettingsSchema?: z.ZodType<Settings>
  /** Base URL of the platform's API for these credentials (settings.baseUrl overrides it). */
  apiBaseUrl(credentials: Credentials): string
  /**
   * What names the platform account beyond its API base URL, where that URL is the same for every
   * account (Billbee, Wemalo, plenigo): one live connection per account and tenant (issue 16).
   */
  accountIdentity?(credentials: Credentials): string
  /** Extra credentials Kontor generates when none were given (e.g. a webhook secret). */
  generatedCredentials?(credentials: Partial<Credentials>): Partial<Credentials>
  /** The URL the merchant registers, when it must carry more than Kontor's webhook URL (Cartum's key). */
  registeredWebhookUrl?(webhookUrl: string, credentials: Credentials): string
  /** Verifies a webhook on the raw bytes. No I/O, no parsing beyond what dedupe needs. */
  verifyWebhook?(request: WebhookRequest, credentials: Credentials): Promise<WebhookVerdict>
  /** Registration of Kontor's webhooks through the platform's API, where it has one. */
  readonly webhooks?: WebhookRegistration<Credentials, Settings>
  /** How often the cron polls this connection, in minutes. */
  pollIntervalMinutes?(settings: Settings): number
}

/** A shop or shop back-end: orders come from it, and status and tracking go back to it. */
export type SourceConnector<Credentials = unknown, Settings = unknown> = ConnectorBase<Credentials, Settings> & {
  readonly role: 'source'
  /** The platform's own import rules (BB8, PM3, PM5, BB4); empty when only the general rules apply. */
  readonly importPolicy: ImportPolicy
  /** Turns a stored webhook delivery into import records (INGEST consumer). */
  parseWebhook?(event: InboxEvent, context: ConnectorContext<Credentials, Settings>): Promise<ImportRecord[]>
  /** One page of a poll or backfill run. */
  fetchPage?(context: ConnectorContext<Credentials, Settings>, request: PageRequest): Promise<PageResult>
  /**
   * Runs after an order was imported (or found unchanged), e.g. to tag it as received on the
   * platform (BB7). It must be idempotent: a retried message runs it again.
   */
  afterOrderImported?(
    context: ConnectorContext<Credentials, Settings>,
    order: OrderSnapshot,
    result: 'created' | 'updated' | 'unchanged',
    /** Steps owned by the order's import, for a call the platform would repeat (a note). */
    steps: OutboundSteps
  ): Promise<void>
  /**
   * Writes an order event back to the platform the order came from (SYNC consumer). `order` is
   * the order as it stands now: a status write sends its current status, not the event's.
   */
  writeBack?(
    context: ConnectorContext<Credentials, Settings>,
    order: OrderSnapshot,
    event: OrderEventInput,
    steps: OutboundSteps
  ): Promise<WriteBackResult>
  /** A source that keeps stock: the warehouse's sellable quantity is written to it (ST3). */
  readonly stock?: StockChannel<Credentials, Settings>
}

/** One SKU's sellable quantity for a channel (ST2), before the channel's own accounting. */
export type StockWrite = { sku: string; quantity: number }
export type StockWriteOutcome =
  | { sku: string; result: 'written' }
  /** The channel does not know the SKU (or cannot take stock for it): recorded, not retried. */
  | { sku: string; result: 'skipped'; reason: string }

/** ST3: how one platform takes stock. Each call is one batch of at most `batchSize` SKUs. */
export type StockChannel<Credentials, Settings> = {
  readonly batchSize: number
  /** The connection's `stockSync` and `stockBuffer`. */
  options(settings: Settings): { sync: boolean; buffer: number }
  /**
   * Writes the batch with the platform's own call; `key` is the same for a repeat of the same
   * batch (an idempotency key where the platform takes one). Throws for the whole batch when the
   * call failed in a way that may pass.
   */
  write(
    context: ConnectorContext<Credentials, Settings>,
    items: StockWrite[],
    key: string
  ): Promise<StockWriteOutcome[]>
  /** Reads the channel's own sellable figure per SKU (ST5 reconciliation); unknown SKUs are absent. */
  read(context: ConnectorContext<Credentials, Settings>, skus: string[]): Promise<Map<string, number>>
}

/** ST1: a warehouse's stock as Wemalo's default attribute holds it. */
export type StockFigures = { sku: string; physical: number; reserved: number; notReserved: number }

/** A SKU the warehouse lists as changed, and from when on it vouches for no further change. */
export type ChangedSku = {
  sku: string
  /**
   * No change of the SKU at or after this instant (ISO): a figure read at or after it is still
   * current and need not be read again. Null when a change may be as recent as the question.
   */
  unchangedSince: string | null
}

/** A destination that is the stock master of the sources routed to it (ST1). */
export type StockMaster<Credentials, Settings> = {
  /** Webhook topics that mean stock was booked: a run starts at once. */
  readonly changeTopics: readonly string[]
  /** Minutes between scheduled runs (`stockMinutes`). */
  intervalMinutes(settings: Settings): number
  /**
   * SKUs whose stock changed since `since`, asked at `now`; every SKU when `since` is null (the
   * nightly run).
   */
  changedSkus(context: ConnectorContext<Credentials, Settings>, since: Date | null, now: Date): Promise<ChangedSku[]>
  /** The figures of one SKU; null when the warehouse does not know it. */
  figures(context: ConnectorContext<Credentials, Settings>, sku: string): Promise<StockFigures | null>
}

/** A hand-over as the destination sees it again (to cancel it, or to confirm it). */
export type HandoverReference = {
  orderId: string
  /** The destination's id for it; null while the hand-over never got an answer. */
  reference: string | null
  state: HandoverState
  /** What the destination connector kept about it (e.g. plenigo's promise id). */
  details: Record<string, unknown>
  createdAt: string
  updatedAt: string
}

export type HandoverOutcome =
  /** Accepted; the destination still confirms it later (reported by `pollReports`). */
  | { state: 'sent'; reference: string; detail?: string; details?: Record<string, unknown> }
  /** Done: the destination holds the order under `reference`. */
  | { state: 'confirmed'; reference: string; detail?: string; details?: Record<string, unknown> }

export type CancelOutcome = { result: 'cancelled'; detail?: string } | { result: 'refused'; message: string }

/** What a destination reports about an order it holds (webhook or poll). */
export type DestinationReport =
  /** An order event (shipped, processing …); `reportKey` makes a repeated report a no-op. */
  | { kind: 'event'; orderId: string; reportKey: string; event: OrderEventInput }
  /** An open hand-over is now confirmed (or failed for good) at the destination. */
  | { kind: 'confirmed'; orderId: string; reference: string; detail?: string; details?: Record<string, unknown> }
  | { kind: 'failed'; orderId: string; message: string }
  /**
   * The destination refused the hand-over for now (plenigo's import queue was full) and will not
   * take it up by itself: it is handed over again, with the named steps run again.
   */
  | { kind: 'resend'; orderId: string; message: string; redoSteps: string[] }
  /** The destination booked returns (a webhook said so): read them at once (RT1). */
  | { kind: 'returns_booked'; detail: string }

export type ReportPoll = {
  reports: DestinationReport[]
  /** Called once every report is recorded, e.g. to acknowledge bookings read (Wemalo). */
  acknowledge?(): Promise<void>
}

/**
 * One return the warehouse booked (RT1): one booking entry, listed by the warehouse until it is
 * acknowledged. `goodsOrderExternalId` is Kontor's order id for goods orders Kontor created.
 */
export type ReturnBooking = {
  bookingId: string
  goodsOrderExternalId: string | null
  /** The product as the warehouse knows it: the SKU for goods orders Kontor sent (WM6). */
  sku: string | null
  productName: string | null
  quantity: number
  /** The warehouse's return reason (a code such as `damaged`), when it gives one. */
  reason: string | null
  /** The warehouse's id of the return (the returns order) this booking belongs to. */
  returnId: string | null
  serialNumber: string | null
  /** Whether the warehouse can ship the item again. */
  resaleable: boolean | null
  bookedAt: string | null
}

/** A destination that books returns (the warehouse): read them, then acknowledge each (RT1). */
export type WarehouseReturns<Credentials, Settings> = {
  /** Every booking not yet acknowledged. */
  booked(context: ConnectorContext<Credentials, Settings>): Promise<ReturnBooking[]>
  /** Marks one booking as synchronised, so the warehouse stops listing it. Safe to repeat. */
  acknowledge(context: ConnectorContext<Credentials, Settings>, bookingId: string): Promise<void>
}

/**
 * A product as a warehouse learns it (WM4): `externalId` is the warehouse's key (the SKU of the
 * first send), lengths in centimetres, weight in grams; the connector converts to its own units.
 */
export type WarehouseProduct = {
  externalId: string
  sku: string
  name: string
  /** The product's EANs, the first one first. */
  eans: string[]
  lengthCm: number | null
  widthCm: number | null
  heightCm: number | null
  weightGrams: number | null
}

/** A destination that keeps its own product master (the warehouse): products are sent to it. */
export type WarehouseCatalog<Credentials, Settings> = {
  /** The most products one `add` call carries. */
  readonly batchSize: number
  /** Creates new products in one call. */
  add(context: ConnectorContext<Credentials, Settings>, products: WarehouseProduct[]): Promise<void>
  /** Sends a change of a product the warehouse holds (under its `externalId`). */
  update(context: ConnectorContext<Credentials, Settings>, product: WarehouseProduct): Promise<void>
  /** Which of these external ids the warehouse already holds (a retry after a lost answer asks first). */
  existing(context: ConnectorContext<Credentials, Settings>, externalIds: string[]): Promise<Set<string>>
}

/** A system orders are handed to: the warehouse (Wemalo) or subscriptions (plenigo). */
export type DestinationConnector<Credentials = unknown, Settings = unknown> = ConnectorBase<Credentials, Settings> & {
  readonly role: 'destination'
  /**
   * Hands an order over. Throw a FinalError with a clear message for a refusal that will not pass
   * (it becomes `handover_failed`), a RetryableError for one that may. `attempt` > 1 means an
   * earlier attempt may have reached the destination: look the order up before creating it again.
   */
  handOver(
    context: ConnectorContext<Credentials, Settings>,
    order: HandoverOrder,
    handover: { attempt: number; details: Record<string, unknown> },
    steps: OutboundSteps
  ): Promise<HandoverOutcome>
  /**
   * Sends a platform change of an order it already holds (new address, lines). A destination
   * that cannot take this change now (work has started) refuses with a message; a destination
   * without `update` records that the change stays in the hub.
   */
  update?(
    context: ConnectorContext<Credentials, Settings>,
    order: HandoverOrder,
    handover: HandoverReference,
    steps: OutboundSteps
  ): Promise<{ result: 'done' | 'refused'; detail: string }>
  /** Cancels a hand-over; a destination that cannot (picking started) refuses with a message. */
  cancel(context: ConnectorContext<Credentials, Settings>, handover: HandoverReference): Promise<CancelOutcome>
  /** Reads a stored webhook of the destination as reports. */
  parseReports?(event: InboxEvent, context: ConnectorContext<Credentials, Settings>): Promise<DestinationReport[]>
  /** The cron's fallback and confirmation poll; `open` lists hand-overs not yet settled. */
  pollReports?(context: ConnectorContext<Credentials, Settings>, open: HandoverReference[]): Promise<ReportPoll>
  /** The warehouse's stock, read for the sources routed to it (ST1). */
  readonly stockMaster?: StockMaster<Credentials, Settings>
  /** The products of the routed sources go here (WM4–WM5), where the destination keeps a product master. */
  readonly products?: WarehouseCatalog<Credentials, Settings>
  /** Returns the destination books against the orders it was handed (RT1), read on its poll. */
  readonly returns?: WarehouseReturns<Credentials, Settings>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds connectors of every credential and settings type
export type Connector<Credentials = any, Settings = any> =
  SourceConnector<Credentials, Settings> | DestinationConnector<Credentials, Settings>

/** Settings every connector understands; connectors extend their schema with these. */
export type CommonSettings = { baseUrl?: string }
