/**
 * Dead letters: messages that failed for good, each with what it is about — the step, the order
 * (linked), the connection (linked), the error in words (the raw message behind a disclosure) —
 * filtered by connection, step and error, with a replay button for one and a form that replays
 * every pending one the filter shows (or since a time). Replays go through src/queue/replay.ts
 * like the API's and need the `admin` scope. A tenant sees its own; the operator those of the
 * chosen tenant, or every tenant's (and the tenant-less ones) when none is chosen, as the API.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import type { FC } from 'hono/jsx'
import { z } from 'zod'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import { DEAD_LETTER_STEP_IDS, DEAD_LETTER_STEPS, type DeadLetterFilter } from '../../queue/dead-letter-context'
import { replayDeadLetter, replayDeadLettersMatching } from '../../queue/replay'
import { connectionNamesQuery } from '../../read-models/connection-names'
import { type DeadLetterScope, recentDeadLetters, visibleDeadLetter, visibleTo } from '../../read-models/dead-letters'
import { DeadLetterFilterFields } from '../api/dead-letters'
import { requireScope } from '../api/auth'
import { actorOf } from '../../audit/audit-log'
import { Badge, CsrfField, FilterSelect, Layout, query, Time } from './layout'
import { TargetName } from './names'
import { csrfToken, signedIn, type Session, type UiContext, type UiEnv } from './session'
import { Table } from './table'

const PAGE_SIZE = 100

/** The filters a form may send (the API's, without the time), checked the same way. */
const FormFilter = z.object(DeadLetterFilterFields).omit({ since: true }).strict()
type Filter = z.infer<typeof FormFilter>
const FILTER_NAMES = ['connectionId', 'step', 'error', 'errorClass'] as const

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

/** The filters of a query or a form, validated: a value that is no filter is a 400. */
function filterFrom(values: Record<string, unknown>): Filter {
  const given = Object.fromEntries(
    FILTER_NAMES.map((name) => [name, typeof values[name] === 'string' ? values[name].trim() || undefined : undefined])
  )
  const parsed = FormFilter.safeParse(given)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ApiError(400, 'invalid_request', `${issue.path.join('.')}: ${issue.message}`)
  }
  return parsed.data
}

type Listed = Awaited<ReturnType<typeof recentDeadLetters>>[number]

const FilterForm: FC<{
  filter: Filter
  pendingOnly: boolean
  connectionOptions: { value: string; label: string }[]
  errorClasses: string[]
}> = ({ filter, pendingOnly, connectionOptions, errorClasses }) => (
  <form class="filters" method="get" action="/dead-letters" id="dead-letter-filters">
    <FilterSelect label="Connection" name="connectionId" selected={filter.connectionId} options={connectionOptions} />
    <FilterSelect
      label="Step"
      name="step"
      selected={filter.step}
      options={DEAD_LETTER_STEP_IDS.map((step) => ({ value: step, label: DEAD_LETTER_STEPS[step].label }))}
    />
    <FilterSelect
      label="Error class"
      name="errorClass"
      selected={filter.errorClass}
      options={errorClasses.map((value) => ({ value }))}
    />
    {filter.error ? (
      <label>
        Error
        <input type="text" name="error" value={filter.error} readonly />
      </label>
    ) : null}
    <label>
      Pending only
      <input type="checkbox" name="pending" value="1" checked={pendingOnly} />
    </label>
    <button type="submit">Filter</button>
    <a href="/dead-letters">clear</a>
  </form>
)

/** Replays every pending letter the current filter shows, optionally only those since a time. */
const ReplayForm: FC<{ session: Session; filter: Filter }> = ({ session, filter }) => {
  const filtered = FILTER_NAMES.some((name) => filter[name])
  return (
    <form method="post" action="/dead-letters/replay" class="filters" id="replay-since">
      <CsrfField session={session} />
      {FILTER_NAMES.map((name) => (filter[name] ? <input type="hidden" name={name} value={filter[name]} /> : null))}
      <label>
        {filtered ? 'Only those since (UTC, optional)' : 'Replay every pending one since (UTC)'}
        <input type="datetime-local" name="since" step="1" required={!filtered} />
      </label>
      <button type="submit">{filtered ? 'Replay every pending one shown' : 'Replay all since'}</button>
    </form>
  )
}

const State: FC<{ letter: Listed; session: Session; canReplay: boolean }> = ({ letter, session, canReplay }) =>
  letter.replayedAt ? (
    <span>
      replayed <Time at={letter.replayedAt} />
    </span>
  ) : (
    <span>
      <Badge value="pending" />{' '}
      {canReplay ? (
        <form method="post" action={`/dead-letters/${encodeURIComponent(letter.id)}/replay`}>
          <CsrfField session={session} />
          <button type="submit">Replay</button>
        </form>
      ) : null}
    </span>
  )

const ErrorCell: FC<{ letter: Listed; pendingOnly: boolean }> = ({ letter, pendingOnly }) => (
  <div>
    <div class="bad">{letter.reason || <span class="muted">—</span>}</div>
    {letter.errorClass ? <span class="badge">{letter.errorClass}</span> : null}{' '}
    {letter.error ? (
      <a
        href={`/dead-letters${query({ error: letter.error, pending: pendingOnly ? '1' : null })}`}
        class="same-error"
        title="Every dead letter with this error"
      >
        same error
      </a>
    ) : null}
    <details>
      <summary class="muted">message</summary>
      <pre>{JSON.stringify(letter.body, null, 1)}</pre>
      <div class="muted">
        {letter.queue} queue, {letter.id}
      </div>
    </details>
  </div>
)

async function deadLettersPage(c: UiContext) {
  const session = c.get('session')
  requireScope(session.caller, 'read')
  const pendingOnly = c.req.query('pending') === '1'
  const filter = filterFrom(c.req.query())
  const db = database(c.env.DB)
  const [rows, tenantConnections] = await Promise.all([
    recentDeadLetters(db, visible(session), { ...filter, limit: PAGE_SIZE, pendingOnly }),
    session.tenantId ? connectionNamesQuery(db, session.tenantId) : Promise.resolve([]),
  ])
  const canReplay = session.caller.kind === 'operator' || session.caller.scopes.includes('admin')
  const replayed = c.req.query('replayed')
  const showTenant = session.caller.kind === 'operator' && !session.tenantId
  const connectionOptions = new Map(tenantConnections.map((row) => [row.id, row.name]))
  for (const row of rows)
    if (row.connectionId) connectionOptions.set(row.connectionId, row.connectionName ?? row.connectionId)
  const errorClasses = new Set(rows.map((row) => row.errorClass).filter((value): value is string => Boolean(value)))
  if (filter.errorClass) errorClasses.add(filter.errorClass)
  return c.html(
    <Layout
      title="Dead letters"
      page="dead-letters"
      session={session}
      notice={replayed !== undefined ? `Replayed ${Number(replayed) || 0} message(s).` : undefined}
    >
      <FilterForm
        filter={filter}
        pendingOnly={pendingOnly}
        connectionOptions={[...connectionOptions].map(([value, label]) => ({ value, label }))}
        errorClasses={[...errorClasses].sort()}
      />
      {canReplay ? (
        <ReplayForm session={session} filter={filter} />
      ) : (
        <p class="muted">Replaying needs a token with the admin scope.</p>
      )}
      <Table
        id="dead-letters"
        rows={rows}
        empty="No dead letters."
        rowData={(letter) => ({ 'dead-letter': letter.id })}
        columns={[
          { label: 'Created', cell: (letter) => <Time at={letter.createdAt} /> },
          showTenant && { label: 'Tenant', cell: (letter) => letter.tenantName ?? <span class="muted">—</span> },
          {
            label: 'Step',
            cell: (letter) => (
              <span data-step={letter.step ?? ''}>
                {letter.stepLabel}
                {letter.deliveryKey ? <div class="muted">delivery {letter.deliveryKey}</div> : null}
              </span>
            ),
          },
          {
            label: 'Order',
            cell: (letter) =>
              letter.orderId ? (
                <a href={`/orders/${encodeURIComponent(letter.orderId)}`} class="order">
                  {letter.orderNumber ?? letter.orderId}
                </a>
              ) : (
                <span class="muted">—</span>
              ),
          },
          {
            label: 'Connection',
            cell: (letter) =>
              letter.connectionId ? (
                <TargetName
                  id={letter.connectionId}
                  target={
                    letter.connectionName && letter.connectionKind
                      ? { name: letter.connectionName, kind: letter.connectionKind }
                      : null
                  }
                />
              ) : (
                <span class="muted">—</span>
              ),
          },
          { label: 'Error', cell: (letter) => <ErrorCell letter={letter} pendingOnly={pendingOnly} /> },
          { label: 'Attempts', cell: (letter) => letter.attempts },
          {
            label: 'State',
            class: () => 'state',
            cell: (letter) => <State letter={letter} session={session} canReplay={canReplay} />,
          },
        ]}
      />
    </Layout>
  )
}

export const deadLetterPages = new Hono<UiEnv>()
  .get('/dead-letters', signedIn, deadLettersPage)
  .post('/dead-letters/replay', csrf(), signedIn, csrfToken, async (c) => {
    const session = c.get('session')
    requireScope(session.caller, 'admin')
    const body = await c.req.parseBody()
    const filter: DeadLetterFilter = filterFrom(body)
    const sinceText = typeof body.since === 'string' ? body.since.trim() : ''
    const since = parseSince(sinceText)
    if (sinceText && !since) throw new ApiError(400, 'invalid_request', 'since: give a date and time')
    if (!since && !FILTER_NAMES.some((name) => filter[name]))
      throw new ApiError(400, 'invalid_request', 'since: give a date and time, or filter the list first')
    const replayed = await replayDeadLettersMatching(
      c.env,
      database(c.env.DB),
      visible(session),
      { ...filter, since: since ?? undefined },
      actorOf(session.caller)
    )
    return c.redirect(`/dead-letters${query({ ...filter, replayed: String(replayed) })}`, 303)
  })
  .post('/dead-letters/:id/replay', csrf(), signedIn, csrfToken, async (c) => {
    const session = c.get('session')
    requireScope(session.caller, 'admin')
    const db = database(c.env.DB)
    const row = await visibleDeadLetter(db, visible(session), c.req.param('id'))
    if (!row.replayedAt) await replayDeadLetter(c.env, db, row, actorOf(session.caller))
    return c.redirect(`/dead-letters?replayed=${row.replayedAt ? 0 : 1}`, 303)
  })
