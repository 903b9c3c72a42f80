/**
 * Every list the API serves and every scan the cron makes, as SQLite plans it in D1 (workerd):
 * none may read a whole table (`SCAN <table>` without an index). The SQL copies the shape of the
 * query in the module named beside it; when a query there changes, change it here too.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

type Plan = { id: number; parent: number; detail: string }

const T = 't1'
const C = 'c1'
const AT = '2026-01-01T00:00:00.000Z'

/** [SQL, parameters, the index or indexes it must use (where the choice matters)] */
const QUERIES: Record<string, [string, unknown[], (string | string[])?]> = {
  // src/routes/api/auth.ts
  'auth: token by hash': ['select id, tenant_id, scopes from tokens where token_hash = ?', ['h']],
  'auth: tenant exists': ['select id from tenants where id = ?', [T]],
  // src/orders/read-model.ts (GET /orders)
  'GET /orders': ['select * from orders where tenant_id = ? order by changed_at desc, id desc limit ?', [T, 51]],
  'GET /orders filtered, next page': [
    `select * from orders where tenant_id = ? and connection_id = ? and status = ? and changed_at > ?
      and (changed_at < ? or (changed_at = ? and id < ?)) order by changed_at desc, id desc limit ?`,
    [T, C, 'new', AT, AT, AT, 'o', 51],
  ],
  // src/orders/integration-state.ts (each order's hand-over and write-back state, GET /orders and the dashboard)
  'GET /orders?handover&writeBack': [
    `select id, coalesce((select h.state from handovers h where h.order_id = "orders"."id"
        order by case h.state when 'failed' then 0 when 'pending' then 1 else 2 end limit 1), 'none') as handover,
      (select case when count(*) = 0 then 'none' when sum(c.result = 'failed') > 0 then 'failing' else 'done' end
        from order_events e left join outbound_calls c on c.step_key = 'write-back:' || e.id
        where e.order_id = "orders"."id" and e.source <> 'platform') as write_back
      from orders where tenant_id = ? and handover = ? and write_back = ? order by changed_at desc, id desc limit ?`,
    [T, 'sent', 'failing', 51],
    ['orders_tenant_changed', 'handovers_order_destination', 'order_events_order', 'outbound_calls_step'],
  ],
  'GET /orders/{id}': ['select * from orders where id = ? and tenant_id = ?', ['o', T]],
  'GET /orders/{id} events': [
    'select * from order_events where order_id = ? and tenant_id = ? order by at, id',
    ['o', T],
  ],
  // src/read-models/catalog.ts
  'GET /products': ['select * from products where tenant_id = ? and id > ? order by id limit ?', [T, 'p', 51]],
  'GET /customers': ['select * from customers where tenant_id = ? and id > ? order by id limit ?', [T, 'c', 51]],
  'GET /categories': [
    'select id, name from categories where tenant_id = ? and id > ? order by id limit ?',
    [T, 'c', 51],
  ],
  // src/connection-setup/read-model.ts
  'GET /connections': ['select * from connections where tenant_id = ? and deleted_at is null', [T]],
  'GET /connections/{id}': ['select * from connections where id = ? and tenant_id = ? and deleted_at is null', [C, T]],
  'connection poll cursor': ['select cursor from sync_cursors where connection_id = ? and kind = ?', [C, 'poll']],
  // src/read-models/import-log.ts
  'GET /import-log': [
    `select * from import_log where tenant_id = ? and (at < ? or (at = ? and id < ?))
      order by at desc, id desc limit ?`,
    [T, AT, AT, 'l', 51],
  ],
  'GET /import-log?connectionId': [
    'select * from import_log where tenant_id = ? and connection_id = ? order by at desc, id desc limit ?',
    [T, C, 51],
  ],
  'GET /import-log?result&kind': [
    'select * from import_log where tenant_id = ? and kind = ? and result = ? order by at desc, id desc limit ?',
    [T, 'order', 'rejected', 51],
  ],
  // src/read-models/dead-letters.ts, src/queue/replay.ts
  'GET /dead-letters (tenant)': [
    'select * from dead_letters where tenant_id = ? and id > ? and replayed_at is null order by id limit ?',
    [T, 'd', 51],
  ],
  'GET /dead-letters (operator)': ['select * from dead_letters where id > ? order by id limit ?', ['d', 51]],
  'POST /dead-letters/replay (tenant)': [
    'select * from dead_letters where tenant_id = ? and created_at >= ? and replayed_at is null limit 100',
    [T, AT],
  ],
  'POST /dead-letters/replay (operator)': [
    'select * from dead_letters where created_at >= ? and replayed_at is null limit 100',
    [AT],
  ],
  // src/queue/dead-letter-context.ts: each letter's context, a look-up by primary key per join
  'POST /dead-letters/replay by connection (operator)': [
    `select d.id from dead_letters d
      left join inbox i on i.id = json_extract(d.body, '$.inboxId')
      left join handovers h on h.id = json_extract(d.body, '$.handoverId')
      left join order_events e on e.id = json_extract(d.body, '$.eventId')
      left join webhook_deliveries w on w.id = json_extract(d.body, '$.deliveryId')
      left join orders o on o.id = coalesce(h.order_id, e.order_id, w.order_id)
      where d.replayed_at is null and coalesce(json_extract(d.body, '$.connectionId'), i.connection_id,
        h.destination_id, w.endpoint_id, o.connection_id) = ? order by d.id limit 500`,
    [C],
    'dead_letters_pending',
  ],
  // src/read-models/outbound-calls.ts
  'GET /outbound-calls': [
    `select * from outbound_calls where tenant_id = ? and (at < ? or (at = ? and id < ?))
      order by at desc, id desc limit ?`,
    [T, AT, AT, 'x', 51],
  ],
  'GET /outbound-calls?orderId': [
    'select * from outbound_calls where tenant_id = ? and order_id = ? order by at desc, id desc limit ?',
    [T, 'o', 51],
    'outbound_calls_tenant_order',
  ],
  'GET /outbound-calls?connectionId&result': [
    `select * from outbound_calls where tenant_id = ? and connection_id = ? and result = ?
      order by at desc, id desc limit ?`,
    [T, C, 'failed', 51],
    'outbound_calls_connection',
  ],
  // src/routes/api/webhook-endpoints.ts
  'GET /webhook-endpoints': ['select * from webhook_endpoints where tenant_id = ? and deleted_at is null', [T]],
  'GET /webhook-endpoints/{id}/deliveries': [
    `select * from webhook_deliveries where endpoint_id = ? and (created_at < ? or (created_at = ? and id < ?))
      order by created_at desc, id desc limit ?`,
    ['e', AT, AT, 'w', 51],
  ],
  // src/read-models/data-requests.ts
  'GET /data-requests': [
    `select id, connection_id, external_id, customer, created_at from data_requests where tenant_id = ?
      and (created_at < ? or (created_at = ? and id < ?)) order by created_at desc, id desc limit ?`,
    [T, AT, AT, 'dr', 51],
    'data_requests_tenant',
  ],
  'GET /data-requests/{id}': ['select * from data_requests where id = ? and tenant_id = ?', ['dr', T]],

  // src/cron.ts
  'cron: due polls': [
    `select c.id, c.tenant_id, c.platform, c.settings, c.created_at, s.cursor,
      (select max(started_at) from sync_jobs where sync_jobs.connection_id = c.id and mode = 'poll'),
      (select count(*) from sync_jobs where sync_jobs.connection_id = c.id and mode = 'poll' and status = 'running'
        and started_at > ?)
      from connections c left join sync_cursors s on s.connection_id = c.id and s.kind = 'poll'
      where c.deleted_at is null`,
    [AT],
  ],
  'cron: destination polls': ['select id, platform, settings from connections where deleted_at is null', []],
  'cron: inbox sweep': [
    'select id from inbox where processed_at is null and dead_lettered_at is null and received_at < ? limit 100',
    [AT],
  ],
  'cron: hand-over sweep': [
    `select id, state from handovers where state in ('pending', 'cancel_requested') and updated_at < ?
      and (lease_until is null or lease_until < ?) limit 100`,
    [AT, AT],
  ],
  'cron: write-back sweep': [
    `select id from order_events where sync_queued_at is null and source <> 'platform' and at < ? limit 100`,
    [AT],
  ],
  'cron: hub delivery sweep': [
    `select id from webhook_deliveries where state = 'pending' and attempts = 0 and created_at < ? limit 100`,
    [AT],
  ],
  // src/webhook-subscriptions/health-check.ts
  'cron: webhook health': [
    `select id, webhook_registration from connections where deleted_at is null and webhook_registration is not null
      and json_extract(webhook_registration, '$.checkedAt') < ? order by json_extract(webhook_registration, '$.checkedAt')
      limit 20`,
    [AT],
  ],
  // src/handover/record-reports.ts (the destination's report poll)
  'destination poll: open hand-overs': [
    `select * from handovers inner join orders on orders.id = handovers.order_id
      where handovers.destination_id = ? and handovers.state in ('sent', 'pending')
      and orders.status in ('new', 'processing') order by handovers.updated_at limit 50`,
    [C],
  ],
  // src/db/re-encrypt.ts
  're-encrypt: credentials': [
    'select id, credentials from connections where (substr(credentials, 1, 20) < ? or substr(credentials, 1, 20) > ?) limit 50',
    ['v2.0123456789abcdef.', 'v2.0123456789abcdef.'],
    'connections_credentials_key',
  ],
  're-encrypt: session state': [
    'select id, session_state from connections where (substr(session_state, 1, 20) < ? or substr(session_state, 1, 20) > ?) limit 50',
    ['v2.0123456789abcdef.', 'v2.0123456789abcdef.'],
    'connections_session_key',
  ],
  're-encrypt: endpoint secrets': [
    'select id, secret from webhook_endpoints where (substr(secret, 1, 20) < ? or substr(secret, 1, 20) > ?) limit 50',
    ['v2.0123456789abcdef.', 'v2.0123456789abcdef.'],
    'webhook_endpoints_secret_key',
  ],
  // src/retention.ts
  'retention: groups': ['select distinct retention_days from tenants', []],
  'retention: inbox bodies': [
    `update inbox set body = '' where id in (select id from inbox where connection_id in
      (select id from connections where tenant_id in (select id from tenants where retention_days = ?))
      and processed_at < ? and inbox.body <> '' limit 500) returning id`,
    [30, AT],
    'inbox_body_kept',
  ],
  'retention: import log': [
    `delete from import_log where id in (select id from import_log where tenant_id in
      (select id from tenants where retention_days = ?) and at < ? limit 500) returning id`,
    [30, AT],
  ],
  // src/import/import-records.ts
  'import: the page’s orders the hub holds': [
    `select id, updated_at, written_off, content_hash, delivery, status, revision from orders
      where id in (select value from json_each(?))`,
    [JSON.stringify(['o1', 'o2'])],
  ],
  // src/import/customer-statements.ts (matchedCustomerId)
  'import: C3 customer match by phone or email': [
    `select coalesce((select id from (
        select id, created_at from customers where tenant_id = ? and phone_key = ?
        union all
        select id, created_at from customers where tenant_id = ? and email_key = ?)
      order by created_at, id limit 1), ?)`,
    [T, '+49123', T, 'a@b.c', 'cus_new'],
    ['customers_phone', 'customers_email'],
  ],
  // src/import/privacy.ts
  'privacy: customers of an order by platform id': [
    'select distinct customer_id from orders where connection_id = ? and customer_external_id = ?',
    [C, '42'],
    'orders_customer_external',
  ],
  'privacy: customers by email': [
    'select id from customers where tenant_id = ? and email_key = ? and not_specified = 0',
    [T, 'a@b.c'],
    'customers_email',
  ],
  'privacy: customers by phone': [
    'select id from customers where tenant_id = ? and phone_key = ? and not_specified = 0',
    [T, '+49123'],
    'customers_phone',
  ],
  'privacy: orders of a customer': [
    'select id, external_id, customer_id, connection_id from orders where customer_id in (?, ?)',
    ['c1', 'c2'],
    'orders_customer',
  ],
  'privacy: a shop’s orders': [
    'select id, external_id, customer_id from orders where connection_id = ? and external_id > ? order by external_id limit 500',
    [C, ''],
  ],
  'privacy: log lines of orders': [
    `update import_log set reason = '(redacted)' where connection_id = ? and external_id in (?, ?) and reason is not null`,
    [C, '1', '2'],
    'import_log_external',
  ],
  'privacy: log lines of a customer': [
    `update import_log set reason = '(redacted)'
      where connection_id = ? and external_id = ? and kind = ? and reason is not null`,
    [C, '42', 'customer'],
    'import_log_external',
  ],
  'privacy: log lines of a shop': [
    `update import_log set reason = '(redacted)' where connection_id = ? and reason is not null`,
    [C],
    'import_log_external',
  ],
  'privacy: hub bodies of orders': ['update webhook_deliveries set body = null where order_id in (?, ?)', ['o1', 'o2']],
  'privacy: inbox bodies': [
    `update inbox set body = '' where connection_id = ? and inbox.body <> '' and topic not in (?, ?, ?)
      and (instr(body, ?) > 0) returning id`,
    [C, 'customers/redact', 'customers/data_request', 'shop/redact', 'a@b.c'],
    'inbox_body_kept',
  ],
  'privacy: unlinked customers': [
    `delete from customers where id in (?, ?) and not_specified = 0
      and not exists (select 1 from orders where orders.customer_id = customers.id) returning id`,
    ['c1', 'c2'],
  ],
}

async function plan(query: string, params: unknown[]): Promise<Plan[]> {
  const { results } = await env.DB.prepare(`explain query plan ${query}`)
    .bind(...params)
    .all<Plan>()
  return results
}

/** `SCAN t` reads the whole table; `SCAN t USING (COVERING) INDEX` walks an index in order (bounded by LIMIT). */
function fullScans(steps: Plan[]): string[] {
  return (
    steps
      .map((step) => step.detail)
      .filter((detail) => /^SCAN /.test(detail) && !/USING (COVERING )?INDEX/.test(detail))
      // Rows SQLite made itself: a constant, a JSON parameter, a subquery's result.
      .filter((detail) => !/^SCAN (CONSTANT ROW|json_each|\(subquery-\d+\))/.test(detail))
  )
}

describe('query plans: no list and no cron scan reads a whole table', () => {
  for (const [name, [query, params, index]] of Object.entries(QUERIES)) {
    it(name, async () => {
      const steps = await plan(query, params)
      const details = steps.map((step) => step.detail).join('\n')
      expect(steps.length).toBeGreaterThan(0)
      expect(fullScans(steps), details).toEqual([])
      for (const name of [index ?? []].flat()) expect(details).toMatch(new RegExp(`USING (COVERING )?INDEX ${name} `))
    })
  }
})
