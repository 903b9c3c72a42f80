/**
 * Dead letters: messages that failed for good, with a replay button for one and a form to
 * replay every pending one since a time. Replays go through src/queue/replay.ts like the API's
 * and need the `admin` scope. A tenant sees its own; the operator those of the chosen tenant,
 * or every tenant's (and the tenant-less ones) when none is chosen, as the API shows them.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import { replayDeadLetter, replayDeadLettersSince } from '../../queue/replay'
import { type DeadLetterScope, recentDeadLetters, visibleDeadLetter, visibleTo } from '../../read-models/dead-letters'
import { requireScope } from '../api/auth'
import { actorOf } from '../../audit/audit-log'
import { Badge, CsrfField, Layout, query, Time } from './layout'
import { csrfToken, signedIn, type Session, type UiContext, type UiEnv } from './session'

const PAGE_SIZE = 100

/** Exactly the API's scoping, with the operator's chosen tenant in place of `X-Tenant-Id`. */
function visible(session: Session): DeadLetterScope {
  return visibleTo(session.caller, session.tenantId)
}

/** A `datetime-local` value (read as UTC) or a full ISO time, as ISO; null when it is neither. */
function parseSince(value: unknown): string | null {
  if (typeof value !== 'string' || !value.trim()) return null
  const text = value.trim()
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

async function deadLettersPage(c: UiContext) {
  const session = c.get('session')
  requireScope(session.caller, 'read')
  const pendingOnly = c.req.query('pending') === '1'
  const rows = await recentDeadLetters(database(c.env.DB), visible(session), { limit: PAGE_SIZE, pendingOnly })
  const canReplay = session.caller.kind === 'operator' || session.caller.scopes.includes('admin')
  const replayed = c.req.query('replayed')
  const showTenant = session.caller.kind === 'operator' && !session.tenantId
  return c.html(
    <Layout
      title="Dead letters"
      page="dead-letters"
      session={session}
      notice={replayed !== undefined ? `Replayed ${Number(replayed) || 0} message(s).` : undefined}
    >
      <div class="filters">
        <a href={`/dead-letters${query({ pending: pendingOnly ? null : '1' })}`}>
          {pendingOnly ? 'Show all' : 'Show pending only'}
        </a>
        {canReplay ? (
          <form method="post" action="/dead-letters/replay" class="filters" id="replay-since">
            <CsrfField session={session} />
            <label>
              Replay every pending one since (UTC)
              <input type="datetime-local" name="since" step="1" required />
            </label>
            <button type="submit">Replay all since</button>
          </form>
        ) : (
          <span class="muted">Replaying needs a token with the admin scope.</span>
        )}
      </div>
      {rows.length ? (
        <table id="dead-letters">
          <thead>
            <tr>
              <th>Created</th>
              {showTenant ? <th>Tenant</th> : null}
              <th>Queue</th>
              <th>Message</th>
              <th>Error</th>
              <th>Attempts</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ row, tenantName }) => (
              <tr data-dead-letter={row.id}>
                <td>
                  <Time at={row.createdAt} />
                  <div class="muted">{row.id}</div>
                </td>
                {showTenant ? <td>{tenantName ?? <span class="muted">—</span>}</td> : null}
                <td>{row.queue}</td>
                <td>
                  <pre>{JSON.stringify(row.body)}</pre>
                </td>
                <td class="bad">{row.error ?? ''}</td>
                <td>{row.attempts}</td>
                <td class="state">
                  {row.replayedAt ? (
                    <span>
                      replayed <Time at={row.replayedAt} />
                    </span>
                  ) : (
                    <span>
                      <Badge value="pending" />{' '}
                      {canReplay ? (
                        <form method="post" action={`/dead-letters/${encodeURIComponent(row.id)}/replay`}>
                          <CsrfField session={session} />
                          <button type="submit">Replay</button>
                        </form>
                      ) : null}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No dead letters.</p>
      )}
    </Layout>
  )
}

export const deadLetterPages = new Hono<UiEnv>()
  .get('/dead-letters', signedIn, deadLettersPage)
  .post('/dead-letters/replay', csrf(), signedIn, csrfToken, async (c) => {
    const session = c.get('session')
    requireScope(session.caller, 'admin')
    const since = parseSince((await c.req.parseBody()).since)
    if (!since) throw new ApiError(400, 'invalid_request', 'since: give a date and time')
    const replayed = await replayDeadLettersSince(
      c.env,
      database(c.env.DB),
      visible(session),
      since,
      actorOf(session.caller)
    )
    return c.redirect(`/dead-letters?replayed=${replayed}`, 303)
  })
  .post('/dead-letters/:id/replay', csrf(), signedIn, csrfToken, async (c) => {
    const session = c.get('session')
    requireScope(session.caller, 'admin')
    const db = database(c.env.DB)
    const row = await visibleDeadLetter(db, visible(session), c.req.param('id'))
    if (!row.replayedAt) await replayDeadLetter(c.env, db, row, actorOf(session.caller))
    return c.redirect(`/dead-letters?replayed=${row.replayedAt ? 0 : 1}`, 303)
  })
