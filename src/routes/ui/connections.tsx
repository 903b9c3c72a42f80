/**
 * The home page: the tenant's connections, each with its health — last webhook, last poll,
 * an open backfill's progress, error and dead-letter counts, webhook registration.
 */
import type { FC } from 'hono/jsx'
import { database } from '../../db/client'
import { connectionActivity } from '../../read-models/activity'
import { connectionHealth, type Health, type Job } from '../../read-models/connection-health'
import { ActivitySection } from './connection-activity'
import { Badge, ChooseTenant, Layout, Time } from './layout'
import { pageTenant, type Session, type UiContext } from './session'

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
        <th>Health</th>
        <th>Dead letters</th>
        <th>Webhook registration</th>
      </tr>
    </thead>
    <tbody>
      {items.map((item) => (
        <tr data-connection={item.id} id={`connection-${item.id}`}>
          <td>
            <a href={`/orders?connectionId=${encodeURIComponent(item.id)}`}>{item.name}</a>
            <div class="muted">{item.id}</div>
            <a href={`/connections/${encodeURIComponent(item.id)}`} class="edit-connection">
              Edit, pause or resume
            </a>
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
          <td class={item.failingNow ? 'bad' : undefined} data-health>
            <a href={item.failuresLink}>
              {item.failingNow ? `${item.failingNow} failing now` : 'healthy'}
              {item.recovered ? `, ${item.recovered} recovered` : ''}
              <div class="muted">{item.failures24h} failures in 24 h</div>
            </a>
          </td>
          <td class={item.deadLetters ? 'bad' : undefined}>
            <a href={`/dead-letters?pending=1&connectionId=${encodeURIComponent(item.id)}`}>{item.deadLetters}</a>
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
  const db = database(c.env.DB)
  const [items, day, week] = await Promise.all([
    connectionHealth(db, tenantId),
    connectionActivity(db, tenantId, 'day'),
    connectionActivity(db, tenantId, 'week'),
  ])
  return c.html(
    <Layout title="Connections" page="connections" session={session}>
      <p>
        <a href="/connections/new" id="new-connection">
          New connection
        </a>
      </p>
      {items.length ? <ConnectionsTable items={items} /> : <p class="muted">No connections yet.</p>}
      {items.length ? <ActivitySection day={day} week={week} /> : null}
    </Layout>
  )
}
