/**
 * Drizzle tables of the hub store (SPEC §4). `drizzle-kit generate` turns this file into
 * `migrations/`. Platform ids, money and timestamps are text: ids exceed 2^53, money is a
 * decimal string, timestamps are ISO 8601 in UTC.
 */
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/** The orders a webhook delivery imported, written with its `processedAt`. */
export type DeliveryOutcome = { orders: { orderId: string; externalId: string; result: string }[] }

const createdAt = () =>
  text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`)

export const tenants = sqliteTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    /** Days processed inbox bodies and import-log rows are kept (src/retention.ts). */
    retentionDays: integer('retention_days').notNull().default(30),
    createdAt: createdAt(),
    /** Set by the operator's DELETE: tokens, webhooks, cron and queued work stop (src/tenants/). */
    suspendedAt: text('suspended_at'),
    /** When the cron starts erasing a suspended tenant's rows (suspension + the grace period). */
    eraseAfter: text('erase_after'),
  },
  (table) => [
    // The retention cron's groups: the distinct retention values, then the tenants of one.
    index('tenants_retention').on(table.retentionDays, table.id),
    // The queue's and the cron's check for suspended tenants, and the eraser's due ones.
    index('tenants_suspended')
      .on(table.eraseAfter)
      .where(sql`${table.suspendedAt} is not null`),
  ]
)

export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** SHA-256 of the bearer token, hex; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: createdAt(),
    name: text('name').notNull().default(''),
    /** After this the token is refused with a message saying it expired. */
    expiresAt: text('expires_at'),
    /** Written at most once a minute per token (src/tokens/tokens.ts). */
    lastUsedAt: text('last_used_at'),
    /** A revoked token stays (its hash answers "revoked") but is refused on every route. */
    revokedAt: text('revoked_at'),
  },
  (table) => [
    uniqueIndex('tokens_hash').on(table.tokenHash),
    index('tokens_tenant').on(table.tenantId, table.createdAt, table.id),
  ]
)

export const connections = sqliteTable(
  'connections',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    platform: text('platform').notNull(),
    name: text('name').notNull(),
    /** AES-GCM ciphertext of the credentials JSON (see core/crypto.ts). */
    credentials: text('credentials').notNull(),
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    routes: text('routes', { mode: 'json' }).$type<string[]>().notNull(),
    /** AES-GCM ciphertext of short-lived platform state, e.g. a cached API session token. */
    sessionState: text('session_state'),
    /** Kontor's webhooks at the platform: their ids, whether they are active, when last checked. */
    webhookRegistration: text('webhook_registration', { mode: 'json' }).$type<{
      state: 'registered' | 'failed' | 'not_registered'
      ids: string[]
      checkedAt: string
      /** Kontor's own origin the webhooks point at. */
      origin?: string
      error?: string
      reregistered?: number
    }>(),
    /**
     * The platform account these credentials reach, hashed (src/account-identity/): one live
     * connection per account and tenant, and a re-created one takes over the deleted one's id.
     * Null on rows from before it existed until the next create of that platform fills it in.
     */
    accountKey: text('account_key'),
    /**
     * When the cron next polls it (a source's orders, a destination's reports); null: not yet
     * worked out (a new or changed connection), so the next tick does. The cron reads only due rows.
     */
    pollDueAt: text('poll_due_at'),
    /** Set while an operator paused it (src/connection-setup/pause-connection.ts): no polls or backfills. */
    pausedAt: text('paused_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
    deletedAt: text('deleted_at'),
  },
  (table) => [
    index('connections_tenant').on(table.tenantId),
    uniqueIndex('connections_live_account')
      .on(table.tenantId, table.accountKey)
      .where(sql`${table.deletedAt} is null`),
    // The cron's scans of live connections (polls, destination polls).
    index('connections_live').on(table.deletedAt),
    // The cron's bounded read of the live connections whose poll is due, soonest first.
    index('connections_poll_due')
      .on(table.pollDueAt)
      .where(sql`${table.deletedAt} is null`),
    // The re-encrypt job finds ciphertexts not sealed with the newest key by their `v2.<key id>.` prefix.
    index('connections_credentials_key').on(sql`substr(${table.credentials}, 1, 20)`),
    index('connections_session_key').on(sql`substr(${table.sessionState}, 1, 20)`),
  ]
)

/** Raw inbound webhook deliveries, stored before anything is parsed (SPEC §1). */
export const inbox = sqliteTable(
  'inbox',
  {
    id: text('id').primaryKey(),
    connectionId: text('connection_id').notNull(),
    deliveryKey: text('delivery_key').notNull(),
    topic: text('topic').notNull(),
    body: text('body').notNull(),
    receivedAt: text('received_at').notNull(),
    processedAt: text('processed_at'),
    /** Set when its message was given up on; the sweep leaves it to the operator's replay. */
    deadLetteredAt: text('dead_lettered_at'),
    /** Why a delivery was closed without importing it (e.g. its connection was deleted), in words. */
    finalReason: text('final_reason'),
    /** What the delivery became (the delivery log links it): the orders it imported, as the importer said. */
    outcome: text('outcome', { mode: 'json' }).$type<DeliveryOutcome>(),
  },
  (table) => [
    uniqueIndex('inbox_delivery').on(table.connectionId, table.deliveryKey),
    // The cron's sweep for deliveries that never reached the queue.
    index('inbox_unprocessed').on(table.processedAt, table.receivedAt),
    // Retention: processed deliveries that still have a body, per connection, oldest first.
    index('inbox_body_kept')
      .on(table.connectionId, table.processedAt)
      .where(sql`${table.body} <> ''`),
  ]
)

/** One line of an order, as stored in `orders.lines`. */
export type OrderLine = {
  /** `<order id>:<position>`: stable while the platform keeps the line order. */
  id: string
  /** The platform's id of the line itself (Shopify line item id), for write-back. */
  externalId: string | null
  productId: string | null
  sku: string | null
  code: string | null
  name: string
  quantity: number
  /** What is left of the line after refunds or removals, when the platform says so. */
  currentQuantity: number | null
  unitPrice: string
  total: string
}

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    number: text('number').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    platformStatus: text('platform_status'),
    writtenOff: integer('written_off', { mode: 'boolean' }).notNull().default(false),
    total: text('total').notNull(),
    shippingCost: text('shipping_cost'),
    customerId: text('customer_id'),
    billingAddress: text('billing_address', { mode: 'json' }),
    shippingAddress: text('shipping_address', { mode: 'json' }),
    delivery: text('delivery', { mode: 'json' }),
    tracking: text('tracking', { mode: 'json' }).$type<unknown[]>().notNull().default([]),
    paymentMethod: text('payment_method'),
    /**
     * The lines live on the order row (SPEC §4 has them inside the order): they are only ever read
     * and written with their order, and one row per order keeps an import to one order statement.
     */
    lines: text('lines', { mode: 'json' }).$type<OrderLine[]>().notNull().default([]),
    /** The platform's id of the order's customer, for privacy requests that name only that id. */
    customerExternalId: text('customer_external_id'),
    /** Bumped by every write; an import plans from a revision and writes only if it is still current. */
    revision: integer('revision').notNull().default(0),
    /** Fingerprint of the imported content: an unchanged re-import writes nothing. */
    contentHash: text('content_hash').notNull(),
    importedAt: text('imported_at').notNull(),
    changedAt: text('changed_at').notNull(),
  },
  (table) => [
    uniqueIndex('orders_external').on(table.connectionId, table.externalId),
    index('orders_tenant_changed').on(table.tenantId, table.changedAt, table.id),
    // Privacy requests find a customer's orders.
    index('orders_customer').on(table.customerId),
    // The dashboard's activity charts and the operator's overview: orders imported per hour or day.
    index('orders_tenant_imported').on(table.tenantId, table.importedAt, table.connectionId),
    index('orders_customer_external')
      .on(table.connectionId, table.customerExternalId)
      .where(sql`${table.customerExternalId} is not null`),
  ]
)

export const orderEvents = sqliteTable(
  'order_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    orderId: text('order_id').notNull(),
    type: text('type').notNull(),
    at: text('at').notNull(),
    message: text('message'),
    data: text('data', { mode: 'json' }),
    /** Who reported it: `platform` (import), `api` (back-office), or a destination connection id. */
    source: text('source').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** When the write-back was queued; null means the cron still has to queue it. */
    syncQueuedAt: text('sync_queued_at'),
  },
  (table) => [
    index('order_events_order').on(table.orderId, table.at),
    // The cron's scan for write-backs whose queueing was interrupted.
    index('order_events_unqueued').on(table.syncQueuedAt, table.at),
    uniqueIndex('order_events_idempotency').on(table.tenantId, table.idempotencyKey),
  ]
)

export const categories = sqliteTable(
  'categories',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('categories_name').on(table.tenantId, table.name),
    index('categories_tenant').on(table.tenantId, table.id),
  ]
)

export const products = sqliteTable(
  'products',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    sku: text('sku'),
    ean: text('ean'),
    code: text('code'),
    unit: text('unit').notNull().default('piece'),
    categoryId: text('category_id'),
    dimensions: text('dimensions', { mode: 'json' }),
    type: text('type').notNull().default('single'),
    components: text('components', { mode: 'json' }).$type<unknown[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [index('products_tenant').on(table.tenantId, table.id)]
)

export const customers = sqliteTable(
  'customers',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    email: text('email'),
    phone: text('phone'),
    /** Match keys for C3: the phone as digits (with a leading +), the email lower-cased. */
    phoneKey: text('phone_key'),
    emailKey: text('email_key'),
    address: text('address', { mode: 'json' }),
    /** The tenant's single "not specified" customer (SH6). */
    notSpecified: integer('not_specified', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    index('customers_tenant').on(table.tenantId, table.id),
    index('customers_phone').on(table.tenantId, table.phoneKey),
    index('customers_email').on(table.tenantId, table.emailKey),
  ]
)

/** (connection, kind, external id) → internal id (SPEC §4). */
export const mappings = sqliteTable(
  'mappings',
  {
    connectionId: text('connection_id').notNull(),
    kind: text('kind').notNull(),
    externalId: text('external_id').notNull(),
    internalId: text('internal_id').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.connectionId, table.kind, table.externalId] }),
    index('mappings_internal').on(table.internalId),
  ]
)

/**
 * The delivery log (issue 19): every inbound webhook request, with its headers (secrets masked),
 * the verification result, the answer Kontor gave and why. An accepted delivery's body is the
 * inbox row's (joined by connection and delivery key), never stored twice; a refused one keeps at
 * most 8 KB of its own, and at most REFUSED_PER_MINUTE of them are recorded per connection and
 * minute (src/delivery-log/), the rest counted in `unrecorded` on the minute's last recorded one.
 */
export const inboundDeliveries = sqliteTable(
  'inbound_deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    receivedAt: text('received_at').notNull(),
    method: text('method').notNull(),
    /** The path and query string as received, secret parameters (Cartum's and Wemalo's `key`) masked. */
    url: text('url').notNull(),
    /** [name, value] pairs as received, secrets masked. */
    headers: text('headers', { mode: 'json' }).notNull().$type<[string, string][]>(),
    /** `accepted` (a 2xx answer) or `refused`. */
    result: text('result').notNull(),
    /** `verified`, `failed` or `not checked` (refused before the signature was looked at). */
    verification: text('verification').notNull(),
    /** Why, in words: the refusal, a ping, an ignored topic, a duplicate. */
    reason: text('reason'),
    answerStatus: integer('answer_status').notNull(),
    answerBody: text('answer_body').notNull(),
    /** Set when accepted: the inbox row holding the body is (connection, delivery key). */
    deliveryKey: text('delivery_key'),
    topic: text('topic'),
    /** A refused request's body, truncated; null when the inbox holds it. */
    body: text('body'),
    bodyBytes: integer('body_bytes').notNull(),
    /** Refused requests of this connection in the same minute past the cap, counted, not recorded. */
    unrecorded: integer('unrecorded').notNull().default(0),
  },
  (table) => [
    index('inbound_deliveries_tenant').on(table.tenantId, table.receivedAt, table.id),
    index('inbound_deliveries_connection').on(table.tenantId, table.connectionId, table.receivedAt, table.id),
    index('inbound_deliveries_result').on(table.tenantId, table.result, table.receivedAt, table.id),
    // The per-connection cap on recorded refusals counts a minute of them.
    index('inbound_deliveries_refused').on(table.connectionId, table.result, table.receivedAt),
  ]
)

export const importLog = sqliteTable(
  'import_log',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    kind: text('kind').notNull(),
    externalId: text('external_id'),
    result: text('result').notNull(),
    rule: text('rule'),
    reason: text('reason'),
    at: text('at').notNull(),
  },
  (table) => [
    // The API lists newest first by (at, id), filtered by connection or result.
    index('import_log_tenant').on(table.tenantId, table.at, table.id),
    index('import_log_connection').on(table.tenantId, table.connectionId, table.at, table.id),
    index('import_log_result').on(table.tenantId, table.result, table.at, table.id),
    index('import_log_at').on(table.at),
    // Privacy requests redact the lines about an order.
    index('import_log_external').on(table.connectionId, table.externalId),
  ]
)

export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id'),
    queue: text('queue').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    error: text('error'),
    attempts: integer('attempts').notNull(),
    createdAt: text('created_at').notNull(),
    replayedAt: text('replayed_at'),
  },
  (table) => [
    index('dead_letters_tenant').on(table.tenantId, table.id),
    // The operator's "replay since" across tenants: not yet replayed, created since.
    index('dead_letters_pending').on(table.replayedAt, table.createdAt),
  ]
)

/** Where the next poll of a connection starts (a high-water mark of the platform's clock). */
export const syncCursors = sqliteTable(
  'sync_cursors',
  {
    connectionId: text('connection_id').notNull(),
    kind: text('kind').notNull(),
    cursor: text('cursor').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.connectionId, table.kind] })]
)

/** One row per poll or backfill run, so `POST …/sync` has a job to point at. */
export const syncJobs = sqliteTable(
  'sync_jobs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    mode: text('mode').notNull(),
    status: text('status').notNull(),
    pages: integer('pages').notNull().default(0),
    records: integer('records').notNull().default(0),
    /** Orders read again without a change: counted here, not logged one by one. */
    unchanged: integer('unchanged').notNull().default(0),
    error: text('error'),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (table) => [
    index('sync_jobs_connection').on(table.connectionId, table.startedAt),
    // Failed runs only (few): the operator's overview and the activity charts count them per tenant.
    index('sync_jobs_failed')
      .on(table.tenantId, table.startedAt, table.connectionId)
      .where(sql`${table.status} = 'failed'`),
  ]
)

/**
 * Every outbound call Kontor makes (write-back steps, hand-overs, hub webhook deliveries) and its
 * outcome. A step that must not run twice carries a `stepKey`: it is recorded as `started`
 * before the call and `done` after it, so a retried message skips it.
 */
export const outboundCalls = sqliteTable(
  'outbound_calls',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    orderId: text('order_id'),
    stepKey: text('step_key'),
    action: text('action').notNull(),
    /** started | done | failed | not_applicable (or a verdict such as refused) */
    result: text('result').notNull(),
    detail: text('detail'),
    attempts: integer('attempts').notNull().default(1),
    at: text('at').notNull(),
    /** Who holds a `started` step (src/exactly-once/lease.ts), and until when. */
    claimToken: text('claim_token'),
    leaseUntil: text('lease_until'),
  },
  (table) => [
    index('outbound_calls_order').on(table.orderId),
    uniqueIndex('outbound_calls_step').on(table.stepKey),
    index('outbound_calls_tenant').on(table.tenantId, table.at, table.id),
    // The API's filtered lists, newest first by (at, id): with the id, the index gives the order too.
    index('outbound_calls_connection').on(table.tenantId, table.connectionId, table.at, table.id),
    index('outbound_calls_tenant_order').on(table.tenantId, table.orderId, table.at, table.id),
    // Failed calls only (few): the operator's overview and the activity charts count them per tenant.
    index('outbound_calls_failed')
      .on(table.tenantId, table.at, table.connectionId)
      .where(sql`${table.result} = 'failed'`),
  ]
)

/** An order on its way to a destination connection (Wemalo, plenigo); one per order and destination. */
export const handovers = sqliteTable(
  'handovers',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    orderId: text('order_id').notNull(),
    destinationId: text('destination_id').notNull(),
    reference: text('reference'),
    /** See HANDOVER_STATES in src/core/model.ts. */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** What the destination connector keeps about it (e.g. plenigo's promise id). */
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    /** While set and in the future, one consumer is working on this row; others leave it alone. */
    leaseUntil: text('lease_until'),
    /** The holder of the lease (src/exactly-once/lease.ts): only it may release the row. */
    claimToken: text('claim_token'),
    /** Which version of the order the destination holds (src/handover/content-version.ts). */
    sentVersion: text('sent_version'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('handovers_order_destination').on(table.orderId, table.destinationId),
    index('handovers_state').on(table.state, table.updatedAt),
    index('handovers_destination').on(table.destinationId, table.state),
    // A suspended tenant's erasure (src/tenants/erase.ts).
    index('handovers_tenant').on(table.tenantId),
  ]
)

/** A tenant's hub webhook endpoint (HW1); the signing secret is encrypted like credentials. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    url: text('url').notNull(),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    secret: text('secret').notNull(),
    createdAt: text('created_at').notNull(),
    deletedAt: text('deleted_at'),
    /** The secret before the last rotation (encrypted); it signs too until `previousSecretUntil`. */
    previousSecret: text('previous_secret'),
    previousSecretUntil: text('previous_secret_until'),
    /** While set, deliveries wait (state `held`); `disabledReason` says why (operator or 5 days failing). */
    disabledAt: text('disabled_at'),
    disabledReason: text('disabled_reason'),
    /** The first failed attempt since the last success; 5 days of failing disables the endpoint. */
    failingSince: text('failing_since'),
    /** Held deliveries exist: new ones queue behind them so the backlog goes out in order. */
    heldSince: text('held_since'),
  },
  (table) => [
    index('webhook_endpoints_tenant').on(table.tenantId, table.deletedAt),
    index('webhook_endpoints_secret_key').on(sql`substr(${table.secret}, 1, 20)`),
    index('webhook_endpoints_previous_secret_key').on(sql`substr(${table.previousSecret}, 1, 20)`),
  ]
)

/**
 * One hub event for one endpoint. Written in the same batch as the change it reports, so no event
 * is lost between the change and the queue; the body is fixed at the first attempt, so retries
 * and replays send the same bytes under the same webhook-id.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventKey: text('event_key').notNull(),
    type: text('type').notNull(),
    orderId: text('order_id').notNull(),
    eventId: text('event_id'),
    body: text('body'),
    /** pending | delivered | failed */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    /** The holder of a send in flight (src/exactly-once/lease.ts), and until when. */
    claimToken: text('claim_token'),
    leaseUntil: text('lease_until'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_event').on(table.endpointId, table.eventKey),
    index('webhook_deliveries_endpoint').on(table.endpointId, table.createdAt, table.id),
    index('webhook_deliveries_key').on(table.eventKey),
    index('webhook_deliveries_state').on(table.state, table.updatedAt),
    // Privacy requests clear the stored bodies about an order.
    index('webhook_deliveries_order').on(table.orderId),
    // The backlog of a disabled endpoint, oldest first.
    index('webhook_deliveries_held')
      .on(table.endpointId, table.createdAt, table.id)
      .where(sql`${table.state} = 'held'`),
    index('webhook_deliveries_tenant').on(table.tenantId),
  ]
)

/** Every attempt of a hub delivery: when, the HTTP status or network error, how long, the answer's start. */
export const webhookDeliveryAttempts = sqliteTable(
  'webhook_delivery_attempts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    at: text('at').notNull(),
    status: integer('status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    /** The first 1 KB of the answer's body. */
    response: text('response'),
  },
  (table) => [
    index('webhook_delivery_attempts_delivery').on(table.deliveryId, table.at),
    index('webhook_delivery_attempts_tenant').on(table.tenantId),
  ]
)

/**
 * Who did what to which id, and when (issue 18). Written in the same D1 batch as the change, so a
 * change without its row cannot exist. `tenantId` is null for the operator's own actions
 * (re-encryption, a tenant's erasure); never holds a secret value.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id'),
    /** `operator`, or `token` with `actorTokenId`. */
    actor: text('actor').notNull(),
    actorTokenId: text('actor_token_id'),
    action: text('action').notNull(),
    targetId: text('target_id').notNull(),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    at: text('at').notNull(),
  },
  (table) => [
    index('audit_log_tenant').on(table.tenantId, table.at, table.id),
    index('audit_log_action').on(table.tenantId, table.action, table.at, table.id),
  ]
)

/**
 * What Kontor holds about one customer, collected for a platform's data request (Shopify's
 * `customers/data_request`), for the merchant to fetch and pass on.
 */
export const dataRequests = sqliteTable(
  'data_requests',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    /** The platform's id of the request (Shopify's data_request.id), or the delivery's key. */
    externalId: text('external_id').notNull(),
    /** Who it is about, as the platform named them: {email, phone, externalId}. */
    customer: text('customer', { mode: 'json' }).$type<Record<string, string | null>>().notNull(),
    /** Everything found: customers, orders with lines and events, import-log lines. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    uniqueIndex('data_requests_external').on(table.connectionId, table.externalId),
    index('data_requests_tenant').on(table.tenantId, table.createdAt, table.id),
  ]
)

/**
 * Always empty. A batch that must only run while what it planned from is still true starts with
 * `insert into write_guards (ok) select 0 where <it is no longer true>`: the CHECK fails, and D1
 * rolls the whole batch back (compare-and-set in the SQL itself).
 */
export const writeGuards = sqliteTable('write_guards', { ok: integer('ok').notNull() }, (table) => [
  check('stale_snapshot', sql`${table.ok} = 1`),
])

/**
 * ST1–ST2: what the warehouse holds of one SKU, per warehouse connection. `revision` is bumped
 * by every change of the figures (Wemalo's, or the hub orders not yet accepted), so a channel
 * write names the exact figure it carried, and a write planned from an older revision loses.
 */
export const stockLevels = sqliteTable(
  'stock_levels',
  {
    warehouseId: text('warehouse_id').notNull(),
    sku: text('sku').notNull(),
    tenantId: text('tenant_id').notNull(),
    /** Wemalo's figures, default attribute: everything, reserved, and not reserved. */
    physical: integer('physical').notNull(),
    reserved: integer('reserved').notNull(),
    notReserved: integer('not_reserved').notNull(),
    /** Hub orders of the SKU routed to this warehouse that it has not accepted yet. */
    inFlight: integer('in_flight').notNull().default(0),
    revision: integer('revision').notNull().default(1),
    /** When Wemalo was last asked about it, and when the figures last changed. */
    readAt: text('read_at').notNull(),
    changedAt: text('changed_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.warehouseId, table.sku] }),
    index('stock_levels_tenant').on(table.tenantId, table.sku),
    // The next run re-reads SKUs whose orders were in flight at the last one.
    index('stock_levels_in_flight')
      .on(table.warehouseId)
      .where(sql`${table.inFlight} > 0`),
  ]
)

/**
 * ST3–ST5: per (channel connection, SKU) what Kontor last wrote, from which revision and when,
 * the channel's own figure when last reconciled, and why a SKU is skipped.
 */
export const stockWrites = sqliteTable(
  'stock_writes',
  {
    channelId: text('channel_id').notNull(),
    sku: text('sku').notNull(),
    tenantId: text('tenant_id').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    /** The sellable quantity last written (null: never written). */
    quantity: integer('quantity'),
    /** The stock revision that write carried; a lower one never overwrites it. */
    revision: integer('revision').notNull().default(0),
    writtenAt: text('written_at'),
    /** Set while the channel does not know the SKU; cleared by the next successful write. */
    skippedReason: text('skipped_reason'),
    /** The channel's own figure at the last reconciliation, and when it was read. */
    channelQuantity: integer('channel_quantity'),
    reconciledAt: text('reconciled_at'),
  },
  (table) => [
    primaryKey({ columns: [table.channelId, table.sku] }),
    index('stock_writes_tenant').on(table.tenantId, table.sku),
    index('stock_writes_warehouse').on(table.warehouseId, table.sku),
  ]
)

/**
 * What a warehouse destination (Wemalo) was told about one product of the hub (WM4–WM5): one row
 * per (destination, product). `adding` is the claim of a first send in flight (its `batchId` names
 * the exactly-once add step); `sent` holds what was sent, so an unchanged product costs no call;
 * `rejected`/`skipped` hold the decision until the product changes again.
 */
export const warehouseProducts = sqliteTable(
  'warehouse_products',
  {
    destinationId: text('destination_id').notNull(),
    productId: text('product_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    /** adding | sent | rejected | skipped */
    state: text('state').notNull(),
    /** The destination's id of the product: the SKU of its first send, never changed afterwards. */
    externalId: text('external_id'),
    /** SKU and EAN as last sent, for BB4's collision check. */
    sku: text('sku'),
    ean: text('ean'),
    /** The dimensions of the first send; later dimension changes are not sent (BB5). */
    dimensions: text('dimensions', { mode: 'json' }),
    /** Fingerprint of what was last sent (or is being added). */
    sentHash: text('sent_hash'),
    /** `products.updated_at` of the version decided on: a newer product row is pending again. */
    productUpdatedAt: text('product_updated_at').notNull(),
    batchId: text('batch_id'),
    /** While in the future, one consumer is adding this product; others leave it alone. */
    claimedUntil: text('claimed_until'),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.destinationId, table.productId] }),
    uniqueIndex('warehouse_products_external').on(table.destinationId, table.externalId),
    index('warehouse_products_sku').on(table.destinationId, table.sku),
    index('warehouse_products_ean').on(table.destinationId, table.ean),
    index('warehouse_products_batch').on(table.batchId),
  ]
)
