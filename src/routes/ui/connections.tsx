/**
 * The home page: the tenant's connections, each with its health — last webhook, last poll,
 * an open backfill's progress, error and dead-letter counts, webhook registration.
 */
import { and, count, desc, eq, inArray, isNull, max, ne, sql } from 'drizzle-orm'
import type { FC } from 'hono/jsx'
import { database, type Database } from '../../db/client'
import { connections, deadLetters, handovers, importLog, inbox, orders, outboundCalls, syncJobs } from '../../db/schema'
import { Badge, ChooseTenant, Layout, Time } from './layout'
import { pageTenant, type Session, type UiContext } from './session'

type Job = typeof syncJobs.$inferSelect

type Health = {
  id: string
  name: string
  platform: string
  createdAt: string
  registration: string | null
  lastWebhook: string | null
  lastPoll: Job | null
  backfill: Job | null
  errors: number
  deadLetters: number
}

function registrationOf(row: typeof connections.$inferSelect): string | null {
  return row.webhookRegistration?.state ?? null
}

// A dead letter's connection: named in its message (pages), or that of its webhook delivery,
// or the destination of its hand-over, or the source of the order it concerns (write-back).
const deadLetterConnection = sql<string | null>`coalesce(
  json_extract(${deadLetters.body}, '$.connectionId'),
  json_extract(${deadLetters.body}, '$.destinationId'),
  ${inbox.connectionId},
  ${handovers.destinationId},
  ${orders.connectionId})`

export async function connectionHealth(db: Database, tenantId: string): Promise<Health[]> {
  const rows = await db
    .select()
    .from(connections)
    .where(and(eq(connections.tenantId, tenantId), isNull(connections.deletedAt)))
    .orderBy(connections.name)
  if (!rows.length) return []
  const ids = rows.map((row) => row.id)
  const [webhooks, importErrors, callErrors, jobErrors, letters] = await db.batch([
    db
      .select({ id: inbox.connectionId, at: max(inbox.receivedAt) })
      .from(inbox)
      .where(inArray(inbox.connectionId, ids))
      .groupBy(inbox.connectionId),
    db
      .select({ id: importLog.connectionId, n: count() })
      .from(importLog)
      .where(
        and(eq(importLog.tenantId, tenantId), inArray(importLog.connectionId, ids), eq(importLog.result, 'failed'))
      )
      .groupBy(importLog.connectionId),
    db
      .select({ id: outboundCalls.connectionId, n: count() })
      .from(outboundCalls)
      .where(
        and(
          eq(outboundCalls.tenantId, tenantId),
          inArray(outboundCalls.connectionId, ids),
          eq(outboundCalls.result, 'failed')
        )
      )
      .groupBy(outboundCalls.connectionId),
    db
      .select({ id: syncJobs.connectionId, n: count() })
      .from(syncJobs)
      .where(and(eq(syncJobs.tenantId, tenantId), inArray(syncJobs.connectionId, ids), eq(syncJobs.status, 'failed')))
      .groupBy(syncJobs.connectionId),
    // Pending dead letters of this tenant, by the connection their message concerns.
    db
      .select({ id: deadLetterConnection, n: count() })
      .from(deadLetters)
      .leftJoin(inbox, eq(inbox.id, sql`json_extract(${deadLetters.body}, '$.inboxId')`))
      .leftJoin(handovers, eq(handovers.id, sql`json_extract(${deadLetters.body}, '$.handoverId')`))
      .leftJoin(orders, eq(orders.id, sql`json_extract(${deadLetters.body}, '$.orderId')`))
      .where(and(eq(deadLetters.tenantId, tenantId), isNull(deadLetters.replayedAt)))
      .groupBy(deadLetterConnection),
  ])
  const latestJob = (id: string, open: boolean) =>
    db
      .select()
      .from(syncJobs)
      .where(
        and(
          eq(syncJobs.connectionId, id),
          eq(syncJobs.tenantId, tenantId),
          open ? and(ne(syncJobs.mode, 'poll'), eq(syncJobs.status, 'running')) : eq(syncJobs.mode, 'poll')
        )
      )
      .orderBy(desc(syncJobs.startedAt))
      .get()
  const jobs = await Promise.all(ids.map(async (id) => [await latestJob(id, false), await latestJob(id, true)]))
  const countFor = (list: { id: string | null; n: number }[], id: string) =>
    list.find((entry) => entry.id === id)?.n ?? 0
  return rows.map((row, index) => ({
    id: row.id,
    name: row.name,
    platform: row.platform,
    createdAt: row.createdAt,
    registration: registrationOf(row),
    lastWebhook: webhooks.find((entry) => entry.id === row.id)?.at ?? null,
    lastPoll: jobs[index][0] ?? null,
    backfill: jobs[index][1] ?? null,
    errors: countFor(importErrors, row.id) + countFor(callErrors, row.id) + countFor(jobErrors, row.id),
    deadLetters: countFor(letters, row.id),
  }))
}

const Backfill: FC<{ job: Job | null }> = ({ job }) =>
  job ? (
    <span class="backfill">
      <progress aria-label="backfill in progress" />{' '}
      <span class="muted">
        {job.pages} pages, {job.records} records
      </span>
    </span>
  ) : (
    <span class="muted">none open</span>
  )

const LastPoll: FC<{ job: Job | null }> = ({ job }) =>
  job ? (
    <span>
      <Time at={job.finishedAt ?? job.startedAt} /> <Badge value={job.status} />
      {job.error ? <div class="bad">{job.error}</div> : null}
    </span>
  ) : (
    <span class="muted">never</span>
  )

const ConnectionsTable: FC<{ items: Health[] }> = ({ items }) => (
  <table id="connections">
    <thead>
      <tr>
        <th>Connection</th>
        <th>Platform</th>
        <th>Last webhook</th>
        <th>Last poll</th>
        <th>Backfill</th>
        <th>Errors</th>
        <th>Dead letters</th>
        <th>Webhook registration</th>
      </tr>
    </thead>
    <tbody>
      {items.map((item) => (
        <tr data-connection={item.id}>
          <td>
            <a href={`/orders?connectionId=${encodeURIComponent(item.id)}`}>{item.name}</a>
            <div class="muted">{item.id}</div>
          </td>
          <td>{item.platform}</td>
          <td>
            <Time at={item.lastWebhook} />
          </td>
          <td>
            <LastPoll job={item.lastPoll} />
          </td>
          <td>
            <Backfill job={item.backfill} />
          </td>
          <td class={item.errors ? 'bad' : undefined} title="failed imports, outbound calls and sync runs">
            <a href={`/import-log?connectionId=${encodeURIComponent(item.id)}&result=failed`}>{item.errors}</a>
          </td>
          <td class={item.deadLetters ? 'bad' : undefined}>
            <a href="/dead-letters">{item.deadLetters}</a>
          </td>
          <td>{item.registration ? <Badge value={item.registration} /> : '—'}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

export async function connectionsPage(c: UiContext) {
  const session: Session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Connections" page="connections" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const items = await connectionHealth(database(c.env.DB), tenantId)
  return c.html(
    <Layout title="Connections" page="connections" session={session}>
      {items.length ? (
        <ConnectionsTable items={items} />
      ) : (
        <p class="muted">No connections yet. Create one with POST /api/v1/connections.</p>
      )}
    </Layout>
  )
}
