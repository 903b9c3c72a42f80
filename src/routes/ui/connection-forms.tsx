/**
 * Connections from the dashboard (issue 19): create one, change its name, credentials, settings
 * and routes, pause and resume it. The forms are validated by the API's own zod schemas
 * (src/routes/api/connection-schemas.ts) and go through the same use cases, so the connector's
 * checks run as they do for the API; each error is shown at the field it names. Credentials are
 * write-only: the edit form never shows them, and a field left empty keeps the stored value.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import type { FC } from 'hono/jsx'
import { actorOf } from '../../audit/audit-log'
import { createConnection } from '../../connection-setup/create-connection'
import { setConnectionPaused } from '../../connection-setup/pause-connection'
import { listConnections, ownConnection } from '../../connection-setup/read-model'
import { updateConnection } from '../../connection-setup/update-connection'
import { findConnector, supportedPlatforms } from '../../connectors/registry'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import type { ConnectionRow } from '../../db/connections'
import { CreateConnection, UpdateConnection } from '../api/connection-schemas'
import { ChooseTenant, CsrfField, Layout, Time } from './layout'
import { csrfToken, pageTenant, signedIn, type UiContext, type UiEnv } from './session'

type Errors = Record<string, string>
type FormValues = { name: string; settings: string; routes: string[] }
type Form = { values: FormValues; errors: Errors }

/** A credential the browser should not echo as typed (the rest, a shop domain or a URL, it may). */
const SECRET_FIELD = /secret|password|token|key/i

function credentialFields(platform: string): string[] {
  const schema = findConnector(platform)?.credentialsSchema as { shape?: Record<string, unknown> } | undefined
  return schema?.shape ? Object.keys(schema.shape) : []
}

const FieldError: FC<{ errors: Errors; name: string }> = ({ errors, name }) =>
  errors[name] ? (
    <span class="bad" data-error-for={name}>
      {errors[name]}
    </span>
  ) : null

async function destinations(c: UiContext, tenantId: string) {
  const rows = await listConnections(database(c.env.DB), tenantId)
  return rows.filter((row) => findConnector(row.platform)?.role === 'destination')
}

const ConnectionFields: FC<{
  platform: string
  form: Form
  editing: boolean
  destinations: ConnectionRow[]
}> = ({ platform, form, editing, destinations: choices }) => {
  const { values, errors } = form
  return (
    <div class="card">
      <dl>
        <dt>Name</dt>
        <dd>
          <input name="name" value={values.name} required maxlength={200} />
          <FieldError errors={errors} name="name" />
        </dd>
        {credentialFields(platform).map((field) => (
          <>
            <dt>{field}</dt>
            <dd>
              <input
                name={`credentials.${field}`}
                type={SECRET_FIELD.test(field) ? 'password' : 'text'}
                autocomplete="off"
                placeholder={editing ? 'stored; leave empty to keep' : ''}
              />
              <FieldError errors={errors} name={`credentials.${field}`} />
            </dd>
          </>
        ))}
        <dt>Settings (JSON)</dt>
        <dd>
          <textarea name="settings" rows={6} cols={60}>
            {values.settings}
          </textarea>
          <FieldError errors={errors} name="settings" />
        </dd>
        {findConnector(platform)?.role === 'source' ? (
          <>
            <dt>Routes</dt>
            <dd>
              {choices.length ? (
                choices.map((row) => (
                  <label>
                    <input type="checkbox" name="routes" value={row.id} checked={values.routes.includes(row.id)} />{' '}
                    {row.name} <span class="muted">({row.platform})</span>
                  </label>
                ))
              ) : (
                <span class="muted">no destination connections</span>
              )}
              <FieldError errors={errors} name="routes" />
            </dd>
          </>
        ) : null}
      </dl>
      <FieldError errors={errors} name="form" />
    </div>
  )
}

async function newConnectionPage(c: UiContext, form?: Form, status: 200 | 400 | 409 = 200) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'admin')
  if (!tenantId)
    return c.html(
      <Layout title="New connection" page="connections" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const platform = supportedPlatforms().find((known) => known === c.req.query('platform'))
  return c.html(
    <Layout title="New connection" page="connections" session={session}>
      <form method="get" action="/connections/new" class="filters">
        <label>
          Platform
          <select name="platform">
            {supportedPlatforms().map((known) => (
              <option value={known} selected={known === platform}>
                {known}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">
          Choose
        </button>
      </form>
      {platform ? (
        <form method="post" action={`/connections/new?platform=${platform}`} id="connection-form">
          <CsrfField session={session} />
          <ConnectionFields
            platform={platform}
            form={form ?? { values: { name: '', settings: '{}', routes: [] }, errors: {} }}
            editing={false}
            destinations={await destinations(c, tenantId)}
          />
          <button type="submit">Create</button>
        </form>
      ) : null}
    </Layout>,
    status
  )
}

async function editConnectionPage(
  c: UiContext,
  shown: { form?: Form; notice?: string } = {},
  status: 200 | 201 | 400 | 409 = 200
) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'admin')
  if (!tenantId)
    return c.html(
      <Layout title="Connection" page="connections" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const row = await ownConnection(database(c.env.DB), tenantId, c.req.param('id') ?? '')
  const form = shown.form ?? {
    values: { name: row.name, settings: JSON.stringify(row.settings, null, 2), routes: row.routes },
    errors: {},
  }
  const id = encodeURIComponent(row.id)
  return c.html(
    <Layout title={`Connection ${row.name}`} page="connections" session={session} notice={shown.notice}>
      <p>
        <a href="/">← all connections</a>
      </p>
      <div class="card" id="connection-state">
        {row.platform} · {row.id} ·{' '}
        {row.pausedAt ? (
          <span data-paused>
            <span class="badge pending">paused</span> since <Time at={row.pausedAt} />
          </span>
        ) : (
          <span class="badge done">running</span>
        )}
        <form method="post" action={`/connections/${id}/${row.pausedAt ? 'resume' : 'pause'}`}>
          <CsrfField session={session} />
          <button type="submit" class="secondary">
            {row.pausedAt ? 'Resume' : 'Pause'}
          </button>
          <span class="muted">
            {' '}
            Paused: no polls or backfills; webhooks are still taken in, write-backs and hand-overs still run.
          </span>
        </form>
      </div>
      <form method="post" action={`/connections/${id}`} id="connection-form">
        <CsrfField session={session} />
        <ConnectionFields
          platform={row.platform}
          form={form}
          editing={true}
          destinations={await destinations(c, row.tenantId)}
        />
        <button type="submit">Save</button>
      </form>
    </Layout>,
    status
  )
}

function formText(form: Record<string, unknown>, name: string): string {
  const value = form[name]
  return typeof value === 'string' ? value : ''
}

/** The form as the API's body: credentials only where typed, settings parsed from their JSON. */
function readForm(form: Record<string, unknown>, platform: string) {
  const routes = form.routes
  const values: FormValues = {
    name: formText(form, 'name').trim(),
    settings: formText(form, 'settings').trim() || '{}',
    routes: (Array.isArray(routes) ? routes : routes === undefined ? [] : [routes]).filter(
      (value): value is string => typeof value === 'string'
    ),
  }
  const credentials: Record<string, string> = {}
  for (const field of credentialFields(platform)) {
    const typed = formText(form, `credentials.${field}`)
    if (typed) credentials[field] = typed
  }
  let settings: unknown
  const errors: Errors = {}
  try {
    settings = JSON.parse(values.settings)
  } catch {
    errors.settings = 'not JSON: write an object such as {"pollMinutes": 5}'
  }
  return { values, credentials, settings, errors }
}

/** The form's field an error is about: zod's path, or the `field.path: message` the use cases write. */
function fieldOf(path: string): string {
  if (path.startsWith('credentials.')) return path.split('.').slice(0, 2).join('.')
  const top = path.split('.')[0]
  return ['name', 'settings', 'routes', 'platform'].includes(top) ? top : 'form'
}

/** An error at its field; one deeper inside it (a setting) names the rest of its path. */
function errorAt(errors: Errors, path: string, message: string) {
  const field = fieldOf(path)
  const inside = path.startsWith(`${field}.`) ? path.slice(field.length + 1) : ''
  errors[field] ??= inside ? `${inside}: ${message}` : message
}

function useCaseErrors(error: unknown): Errors | null {
  if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 409)) return null
  const errors: Errors = {}
  const named = /^([\w.]+): (.*)$/s.exec(error.message)
  if (error.status === 400 && named) errorAt(errors, named[1], named[2])
  else errors.form = error.message
  return errors
}

function schemaErrors(issues: { path: PropertyKey[]; message: string }[]): Errors {
  const errors: Errors = {}
  for (const issue of issues) errorAt(errors, issue.path.map(String).join('.'), issue.message)
  return errors
}

function tenantFor(c: UiContext) {
  const tenantId = pageTenant(c, 'admin')
  if (!tenantId) throw new ApiError(400, 'tenant_required', 'choose a tenant first')
  return tenantId
}

/** A second click (paused already) is told so on the page, not as an error page. */
async function pauseOrResume(c: UiContext, paused: boolean, done: string) {
  try {
    await setConnectionPaused(
      database(c.env.DB),
      tenantFor(c),
      c.req.param('id') ?? '',
      paused,
      actorOf(c.get('session').caller)
    )
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error
    return editConnectionPage(c, { notice: `Nothing changed: ${error.message}.` }, 409)
  }
  return editConnectionPage(c, { notice: done })
}

export const connectionFormPages = new Hono<UiEnv>()
  .get('/connections/new', signedIn, (c) => newConnectionPage(c))
  .post('/connections/new', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = tenantFor(c)
    const platform = c.req.query('platform') ?? ''
    const { values, credentials, settings, errors } = readForm(await c.req.parseBody({ all: true }), platform)
    const parsed = CreateConnection.safeParse({
      platform,
      name: values.name,
      credentials,
      settings,
      routes: values.routes,
    })
    if (!parsed.success || Object.keys(errors).length)
      return newConnectionPage(
        c,
        { values, errors: { ...(parsed.success ? {} : schemaErrors(parsed.error.issues)), ...errors } },
        400
      )
    try {
      const origin = new URL(c.req.url).origin
      const created = await createConnection(
        { env: c.env, db: database(c.env.DB) },
        tenantId,
        parsed.data,
        origin,
        actorOf(c.get('session').caller)
      )
      return c.redirect(`/connections/${encodeURIComponent(created.row.id)}?created=1`, 303)
    } catch (error) {
      const shown = useCaseErrors(error)
      if (!shown) throw error
      return newConnectionPage(
        c,
        { values, errors: shown },
        error instanceof ApiError && error.status === 409 ? 409 : 400
      )
    }
  })
  .get('/connections/:id', signedIn, (c) =>
    editConnectionPage(c, { notice: c.req.query('created') ? 'The connection was created.' : undefined })
  )
  .post('/connections/:id', csrf(), signedIn, csrfToken, async (c) => {
    const tenantId = tenantFor(c)
    const db = database(c.env.DB)
    const row = await ownConnection(db, tenantId, c.req.param('id'))
    const { values, credentials, settings, errors } = readForm(await c.req.parseBody({ all: true }), row.platform)
    const parsed = UpdateConnection.safeParse({
      name: values.name,
      credentials: Object.keys(credentials).length ? credentials : undefined,
      settings,
      routes: findConnector(row.platform)?.role === 'source' ? values.routes : undefined,
    })
    if (!parsed.success || Object.keys(errors).length)
      return editConnectionPage(
        c,
        { form: { values, errors: { ...(parsed.success ? {} : schemaErrors(parsed.error.issues)), ...errors } } },
        400
      )
    try {
      await updateConnection(
        { env: c.env, db },
        tenantId,
        row.id,
        parsed.data,
        new URL(c.req.url).origin,
        actorOf(c.get('session').caller)
      )
    } catch (error) {
      const shown = useCaseErrors(error)
      if (!shown) throw error
      return editConnectionPage(c, { form: { values, errors: shown } }, 400)
    }
    return editConnectionPage(c, { notice: 'Saved.' })
  })
  .post('/connections/:id/pause', csrf(), signedIn, csrfToken, (c) =>
    pauseOrResume(c, true, 'Paused: Kontor starts no polls or backfills for it until you resume it.')
  )
  .post('/connections/:id/resume', csrf(), signedIn, csrfToken, (c) =>
    pauseOrResume(c, false, 'Resumed: the next cron tick polls it from where it stopped.')
  )
