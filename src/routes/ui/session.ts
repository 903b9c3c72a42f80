/**
 * The dashboard's session: the bearer token (operator or tenant) lives in an HttpOnly,
 * SameSite=Strict cookie and is checked on every request with the API's own token check.
 * The operator's tenant choice is a cookie too. Every POST carries a per-session CSRF token
 * (a random value in its own cookie, echoed in a hidden field) besides the Origin check.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { timingSafeEqual } from '../../core/crypto'
import { ApiError } from '../../core/errors'
import { database } from '../../db/client'
import type { Bindings } from '../../env'
import { tenantChoices } from '../../read-models/tenants'
import { type Caller, callerForToken, requireScope, type Scope, tenantExists } from '../api/auth'

export const SESSION_COOKIE = 'kontor_session'
export const CSRF_COOKIE = 'kontor_csrf'
export const TENANT_COOKIE = 'kontor_tenant'

export type Session = {
  caller: Caller
  /** The tenant the pages show: the token's own, or the operator's choice (null: none chosen). */
  tenantId: string | null
  /** For the operator's tenant selector; a tenant token's own tenant alone. */
  tenants: { id: string; name: string }[]
  csrf: string
}

export type UiEnv = { Bindings: Bindings; Variables: { session: Session } }
export type UiContext = Context<UiEnv>

function cookieOptions(c: Context, maxAge?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: new URL(c.req.url).protocol === 'https:',
    ...(maxAge ? { maxAge } : {}),
  }
}

const SESSION_SECONDS = 12 * 60 * 60

function randomHex(bytes: number) {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export function startSession(c: Context, token: string) {
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, SESSION_SECONDS))
  setCookie(c, CSRF_COOKIE, randomHex(32), cookieOptions(c, SESSION_SECONDS))
  deleteCookie(c, TENANT_COOKIE, { path: '/' })
}

export function endSession(c: Context) {
  for (const name of [SESSION_COOKIE, CSRF_COOKIE, TENANT_COOKIE]) deleteCookie(c, name, { path: '/' })
}

export function chooseTenant(c: Context, tenantId: string) {
  setCookie(c, TENANT_COOKIE, tenantId, cookieOptions(c, SESSION_SECONDS))
}

/** Loads the session, or sends the browser to the sign-in page. */
export const signedIn = createMiddleware<UiEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE)
  const csrf = getCookie(c, CSRF_COOKIE)
  const caller = token && csrf ? await callerForToken(c.env, token) : null
  if (!caller || !csrf) {
    endSession(c)
    return c.redirect('/sign-in', 303)
  }
  let tenantId: string | null = null
  const tenantList = await tenantChoices(database(c.env.DB), caller)
  if (caller.kind === 'tenant') {
    tenantId = caller.tenantId
  } else {
    const chosen = getCookie(c, TENANT_COOKIE)
    if (chosen && (await tenantExists(c.env, chosen))) tenantId = chosen
  }
  c.set('session', { caller, tenantId, tenants: tenantList, csrf })
  await next()
})

const encoder = new TextEncoder()

/** For POSTs: the hidden `_csrf` field must equal the session's CSRF cookie. */
export const csrfToken = createMiddleware<UiEnv>(async (c, next) => {
  const form = await c.req.parseBody()
  const sent = typeof form._csrf === 'string' ? form._csrf : ''
  const expected = c.get('session').csrf
  if (!sent || !timingSafeEqual(encoder.encode(sent), encoder.encode(expected))) {
    throw new ApiError(403, 'forbidden', 'the form is stale or did not come from this dashboard; reload and try again')
  }
  await next()
})

/** The tenant a page acts for after checking `scope`, or null when the operator chose none. */
export function pageTenant(c: UiContext, scope: Scope): string | null {
  const { caller, tenantId } = c.get('session')
  requireScope(caller, scope)
  return tenantId
}
