/**
 * The operator's overview (issue 19 finding 7): every tenant's health on one page, worst first,
 * paged. One statement: each figure is a GROUP BY per tenant over an index that holds only what it
 * counts (failed calls, failed runs, pending dead letters, open hand-overs …), then the tenants are
 * ranked and one page is taken; the orders imported are counted for that page's tenants alone.
 *
 * The health figures are the connections page's (src/read-models/connection-health.ts) summed over
 * a tenant's live connections: failing now (outbound steps whose latest call failed, connections
 * whose latest poll failed), recovered (steps that failed in the last 24 hours and have succeeded
 * since), failures in the last 24 hours (failed import-log lines, outbound calls and runs).
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { connections, deadLetters, handovers, importLog, orders, outboundCalls, syncJobs, tenants } from '../db/schema'

const DAY_MS = 24 * 60 * 60 * 1000

export type TenantHealth = {
  id: string
  name: string
  suspendedAt: string | null
  eraseAfter: string | null
  /** healthy | attention (something failed lately or waits for a replay) | failing (now) | suspended */
  state: 'failing' | 'attention' | 'healthy' | 'suspended'
  connections: number
  failingNow: number
  recovered: number
  failures24h: number
  deadLetters: number
  ordersImported24h: number
  handoversWaiting: number
  handoversFailing: number
  writeBacksFailing: number
}

type Row = Omit<TenantHealth, 'state'> & { total: number }

/** Hand-over states an operator must act on: sending failed, or its cancellation could not be sent. */
const FAILED_HANDOVER = sql`('failed', 'cancel_failed')`

/**
 * Worst first, by the ranked columns: active tenants before suspended ones, then what fails now,
 * dead letters waiting for a replay, failures of the last 24 hours, hand-overs waiting, recoveries.
 */
const WORST_FIRST = sql.raw(
  'suspendedAt is not null, failingNow + handoversFailing + writeBacksFailing desc, deadLetters desc, ' +
    'failures24h desc, handoversWaiting desc, recovered desc, name, id'
)

export async function tenantOverview(
  db: Database,
  page: { limit: number; offset: number; only?: string },
  now = new Date()
): Promise<{ items: TenantHealth[]; total: number }> {
  const since = new Date(now.getTime() - DAY_MS).toISOString()
  const rows = await db.all<Row>(sql`
    with
    live as (
      select ${connections.tenantId} as tenant_id, count(*) as n from ${connections}
      where ${connections.deletedAt} is null group by ${connections.tenantId}),
    -- CROSS JOIN keeps the tenants outside: each is one range of import_log_result (tenant, failed, since).
    failed_lines as (
      select ${tenants.id} as tenant_id, count(*) as n from ${tenants}
      cross join ${importLog} on ${importLog.tenantId} = ${tenants.id} and ${importLog.result} = 'failed' and ${importLog.at} >= ${since}
      group by ${tenants.id}),
    failed_calls as (
      select ${outboundCalls.tenantId} as tenant_id, count(*) as n from ${outboundCalls}
      where ${outboundCalls.result} = 'failed' and ${outboundCalls.at} >= ${since} group by ${outboundCalls.tenantId}),
    failed_runs as (
      select ${syncJobs.tenantId} as tenant_id, count(*) as n from ${syncJobs}
      where ${syncJobs.status} = 'failed' and ${syncJobs.startedAt} >= ${since} group by ${syncJobs.tenantId}),
    -- An outbound step (an order's action, else its step key, else the call alone) with a failure in
    -- the last 24 hours, and the result of its latest call (found by the order: + keeps SQLite off the
    -- connection's index, which holds every call of the connection).
    failed_steps as (
      select tenant_id,
        case when order_id is null then 'failed' else (
          select latest.result from ${outboundCalls} as latest
          where latest.tenant_id = step.tenant_id and latest.order_id = step.order_id
            and +latest.connection_id = step.connection_id and latest.action = step.action
          order by latest.at desc, latest.id desc limit 1)
        end as latest_result
      from (
        select distinct ${outboundCalls.tenantId} as tenant_id, ${outboundCalls.connectionId} as connection_id,
          ${outboundCalls.orderId} as order_id, ${outboundCalls.action} as action,
          case when ${outboundCalls.orderId} is null then ${outboundCalls.id} end as call_id
        from ${outboundCalls}
        where ${outboundCalls.result} = 'failed' and ${outboundCalls.at} >= ${since}) as step),
    steps as (
      select tenant_id, sum(latest_result = 'failed') as failing, sum(latest_result <> 'failed') as recovered
      from failed_steps group by tenant_id),
    failing_polls as (
      select ${connections.tenantId} as tenant_id, count(*) as n from ${connections}
      where ${connections.deletedAt} is null and (
        select last_poll.status from ${syncJobs} as last_poll
        where last_poll.connection_id = ${connections.id} and last_poll.mode = 'poll'
        order by last_poll.started_at desc limit 1) = 'failed'
      group by ${connections.tenantId}),
    letters as (
      select ${deadLetters.tenantId} as tenant_id, count(*) as n from ${deadLetters}
      where ${deadLetters.replayedAt} is null and ${deadLetters.tenantId} is not null group by ${deadLetters.tenantId}),
    open_handovers as (
      select ${handovers.tenantId} as tenant_id, sum(${handovers.state} = 'pending') as waiting,
        sum(${handovers.state} in ${FAILED_HANDOVER}) as failing
      from ${handovers} where ${handovers.state} in ('pending', 'failed', 'cancel_failed') group by ${handovers.tenantId}),
    -- A write-back is one claimed step, \`write-back:<event id>\`, its row updated in place: failed is its state
    -- now. The unary + keeps SQLite on the small index of failed calls, not every write-back's step key.
    failed_write_backs as (
      select ${outboundCalls.tenantId} as tenant_id, count(*) as n from ${outboundCalls}
      where ${outboundCalls.result} = 'failed' and +${outboundCalls.stepKey} >= 'write-back:' and +${outboundCalls.stepKey} < 'write-back;'
      group by ${outboundCalls.tenantId}),
    ranked as (
      select ${tenants.id} as id, ${tenants.name} as name, ${tenants.suspendedAt} as suspendedAt,
        ${tenants.eraseAfter} as eraseAfter,
        coalesce(live.n, 0) as connections,
        coalesce(steps.failing, 0) + coalesce(failing_polls.n, 0) as failingNow,
        coalesce(steps.recovered, 0) as recovered,
        coalesce(failed_lines.n, 0) + coalesce(failed_calls.n, 0) + coalesce(failed_runs.n, 0) as failures24h,
        coalesce(letters.n, 0) as deadLetters,
        coalesce(open_handovers.waiting, 0) as handoversWaiting,
        coalesce(open_handovers.failing, 0) as handoversFailing,
        coalesce(failed_write_backs.n, 0) as writeBacksFailing,
        count(*) over () as total
      from ${tenants}
      left join live on live.tenant_id = ${tenants.id}
      left join failed_lines on failed_lines.tenant_id = ${tenants.id}
      left join failed_calls on failed_calls.tenant_id = ${tenants.id}
      left join failed_runs on failed_runs.tenant_id = ${tenants.id}
      left join steps on steps.tenant_id = ${tenants.id}
      left join failing_polls on failing_polls.tenant_id = ${tenants.id}
      left join letters on letters.tenant_id = ${tenants.id}
      left join open_handovers on open_handovers.tenant_id = ${tenants.id}
      left join failed_write_backs on failed_write_backs.tenant_id = ${tenants.id}
      ${page.only ? sql`where ${tenants.id} = ${page.only}` : sql``}
      order by ${WORST_FIRST}
      limit ${page.limit} offset ${page.offset})
    select ranked.*, (
      select count(*) from ${orders} where ${orders.tenantId} = ranked.id and ${orders.importedAt} >= ${since}
    ) as ordersImported24h
    from ranked
    order by ${WORST_FIRST}`)
  return {
    items: rows.map(({ total: _total, ...row }) => ({ ...row, state: stateOf(row) })),
    total: rows[0]?.total ?? (page.only ? 0 : await tenantCount(db)),
  }
}

/** The total when the page is past the end (no row carries it). */
async function tenantCount(db: Database): Promise<number> {
  const row = await db.get<{ n: number }>(sql`select count(*) as n from ${tenants}`)
  return row?.n ?? 0
}

function stateOf(figures: Omit<TenantHealth, 'state'>): TenantHealth['state'] {
  if (figures.suspendedAt) return 'suspended'
  if (figures.failingNow || figures.handoversFailing || figures.writeBacksFailing) return 'failing'
  if (figures.deadLetters || figures.failures24h || figures.recovered) return 'attention'
  return 'healthy'
}
