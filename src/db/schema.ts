/**
 * Drizzle tables of the hub store (SPEC §4). `drizzle-kit generate` turns this file into
 * `migrations/`. Platform ids, money and timestamps are text: ids exceed 2^53, money is a
 * decimal string, timestamps are ISO 8601 in UTC.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const createdAt = () =>
  text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`)

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  currency: text('currency').notNull(),
  createdAt: createdAt(),
})

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
  },
  (table) => [uniqueIndex('tokens_hash').on(table.tokenHash)]
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
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
    deletedAt: text('deleted_at'),
  },
  (table) => [index('connections_tenant').on(table.tenantId)]
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
  },
  (table) => [uniqueIndex('inbox_delivery').on(table.connectionId, table.deliveryKey)]
)

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
    /** Fingerprint of the imported content: an unchanged re-import writes nothing. */
    contentHash: text('content_hash').notNull(),
    importedAt: text('imported_at').notNull(),
    changedAt: text('changed_at').notNull(),
  },
  (table) => [
    uniqueIndex('orders_external').on(table.connectionId, table.externalId),
    index('orders_tenant_changed').on(table.tenantId, table.changedAt, table.id),
  ]
)

export const orderLines = sqliteTable(
  'order_lines',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    position: integer('position').notNull(),
    /** The platform's id of the line itself (Shopify line item id), for write-back. */
    externalId: text('external_id'),
    productId: text('product_id'),
    sku: text('sku'),
    code: text('code'),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: text('unit_price').notNull(),
    total: text('total').notNull(),
  },
  (table) => [index('order_lines_order').on(table.orderId, table.position)]
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
  (table) => [uniqueIndex('categories_name').on(table.tenantId, table.name)]
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
  (table) => [index('import_log_tenant').on(table.tenantId, table.id)]
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
  (table) => [index('dead_letters_tenant').on(table.tenantId, table.id)]
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
    error: text('error'),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (table) => [index('sync_jobs_connection').on(table.connectionId, table.startedAt)]
)

/** Every outbound write-back or hand-over call and its outcome, for operators. */
export const outboundCalls = sqliteTable(
  'outbound_calls',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    connectionId: text('connection_id').notNull(),
    orderId: text('order_id'),
    action: text('action').notNull(),
    result: text('result').notNull(),
    detail: text('detail'),
    at: text('at').notNull(),
  },
  (table) => [index('outbound_calls_order').on(table.orderId)]
)
