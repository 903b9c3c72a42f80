/**
 * plentymarkets REST calls. plenty allows only a few concurrent back-end sessions (3 by
 * default), so the bearer token is kept, encrypted, in the connection's session and reused
 * until shortly before `expires_in`; then `/rest/login/refresh` renews it, and only a failed
 * refresh logs in again. Both snake_case and camelCase token fields are read.
 *
 * Pacing is per plenty system (its URL) in the system's AccountPacer Durable Object
 * (src/pacing/), shared by every connection, isolate and consumer: each call takes a slot in the
 * `X-Plenty-Global-Short-Period`, `-Long-Period` and `X-Plenty-Route` windows, whose
 * `-Calls-Left` and `-Decay` headers the answers report back; when none are left the call waits
 * for the decay (inline when short, else the queue retries later). A login takes one of the
 * system's 3 session slots, held by the connection until its token expires.
 */
import { RetryableError } from '../../core/errors'
import type { HttpRequest, HttpResponse } from '../../core/http-client'
import { type Observation, pacedRequest, type SlotRequest } from '../../pacing/pacer'
import type { ConnectorContext } from '../types'
import type { PlentyCredentials, PlentySettings } from './schemas'

type Context = ConnectorContext<PlentyCredentials, PlentySettings>
type Session = { accessToken: string; refreshToken: string | null; expiresAt: string }

const RENEW_BEFORE_MS = 5 * 60_000
const GLOBAL_PREFIXES = ['x-plenty-global-short-period', 'x-plenty-global-long-period']
const ROUTE_PREFIX = 'x-plenty-route'
/** Longest wait for a slot inside a call; beyond it the queue retries the work later. */
const MAX_WAIT_MS = 2000
/** plenty's default of simultaneously logged-in back-end users. */
export const PLENTY_MAX_SESSIONS = 3
const SESSIONS = 'sessions'
/** A login in progress holds its slot this long at most, until the token's expiry is known. */
const LOGIN_HOLD_MS = 60_000

function systemPacer(context: Context) {
  return context.pacer([context.http.baseUrl.replace(/\/+$/, '')], { secret: false })
}

/** The route an URL path belongs to, for the route limit (ids replaced). */
function routeOf(method: string, path: string): string {
  return `${method} ${path.split('?')[0].replace(/\/\d+(?=\/|$)/g, '/{id}')}`
}

function plentySlots(route: string): SlotRequest[] {
  return [...GLOBAL_PREFIXES, `${ROUTE_PREFIX}:${route}`].map((bucket) => ({ bucket, limit: { kind: 'quota' } }))
}

/** What the `X-Plenty-*-Calls-Left` / `-Limit` / `-Decay` headers say, per window. */
export function plentyObservations(headers: Headers, route: string): Observation[] {
  const observations: Observation[] = []
  for (const [prefix, bucket] of [
    ...GLOBAL_PREFIXES.map((prefix) => [prefix, prefix]),
    [ROUTE_PREFIX, `${ROUTE_PREFIX}:${route}`],
  ]) {
    const left = headers.get(`${prefix}-calls-left`)
    if (left === null || left.trim() === '' || !Number.isFinite(Number(left))) continue
    const limit = Number(headers.get(`${prefix}-limit`) ?? Number.NaN)
    const decay = Number(headers.get(`${prefix}-decay`) ?? 1)
    observations.push({
      bucket,
      kind: 'quota',
      left: Math.max(0, Number(left)),
      limit: Number.isFinite(limit) ? limit : null,
      resetInMs: (Number.isFinite(decay) ? Math.max(0, decay) : 1) * 1000,
    })
  }
  return observations
}

export function readTokenResponse(body: Record<string, unknown>, now: Date): Session {
  const accessToken = (body.accessToken ?? body.access_token) as string | undefined
  if (!accessToken) throw new RetryableError('plentymarkets answered the login without a token')
  const expiresIn = Number(body.expiresIn ?? body.expires_in ?? 3600)
  return {
    accessToken,
    refreshToken: ((body.refreshToken ?? body.refresh_token) as string | undefined) ?? null,
    expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString(),
  }
}

/** A new session: one of the system's session slots, held by this connection until it expires. */
async function login(context: Context): Promise<Session> {
  const pacer = await systemPacer(context)
  const holder = context.connection.id
  await pacer.claimSlot(SESSIONS, holder, {
    max: PLENTY_MAX_SESSIONS,
    holdMs: LOGIN_HOLD_MS,
    maxWaitMs: MAX_WAIT_MS,
    label: 'plentymarkets login',
  })
  let session: Session
  try {
    const response = await context.http.request('/rest/login', {
      json: { username: context.credentials.username, password: context.credentials.password },
    })
    session = readTokenResponse(response.json(), context.now())
  } catch (error) {
    await pacer.releaseSlot(SESSIONS, holder)
    throw error
  }
  await pacer.holdSlot(SESSIONS, holder, Date.parse(session.expiresAt))
  await context.session.set(session)
  return session
}

async function refresh(context: Context, current: Session): Promise<Session> {
  if (!current.refreshToken) return login(context)
  const response = await context.http.request('/rest/login/refresh', {
    method: 'POST',
    headers: { authorization: `Bearer ${current.accessToken}` },
    form: { refresh_token: current.refreshToken },
    accept: [401, 403],
  })
  if (response.status !== 200) return login(context)
  const session = readTokenResponse(response.json(), context.now())
  // The refreshed token replaces the session: the same slot, held until the new expiry.
  await (await systemPacer(context)).holdSlot(SESSIONS, context.connection.id, Date.parse(session.expiresAt))
  await context.session.set(session)
  return session
}

async function validSession(context: Context): Promise<Session> {
  const session = await context.session.get<Session>()
  if (!session) return login(context)
  if (Date.parse(session.expiresAt) - RENEW_BEFORE_MS > context.now().getTime()) return session
  return refresh(context, session)
}

/** An authenticated call; a 401 (token revoked) logs in once more and retries. */
export async function plentyRequest(context: Context, path: string, request: HttpRequest = {}): Promise<HttpResponse> {
  const method = request.method ?? (request.json === undefined && !request.form ? 'GET' : 'POST')
  const route = routeOf(method, path)
  const pacer = await systemPacer(context)
  for (let attempt = 1; ; attempt++) {
    const session = attempt === 1 ? await validSession(context) : await login(context)
    const response = await pacedRequest({
      pacer,
      label: `plentymarkets ${method} ${path}`,
      slots: plentySlots(route),
      maxWaitMs: MAX_WAIT_MS,
      callerAccepts429: request.accept?.includes(429),
      send: () =>
        context.http.request(path, {
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${session.accessToken}` },
          accept: [...(request.accept ?? []), 401, 429],
        }),
      observe: (answer) => plentyObservations(answer.headers, route),
    })
    if (response.status !== 401) return response
    if (attempt > 1) throw new RetryableError(`plentymarkets refused the token for ${path}`)
  }
}

export async function setPlentyStatus(context: Context, orderId: string, statusId: number) {
  await plentyRequest(context, `/rest/orders/${orderId}`, { method: 'PUT', json: { statusId } })
}

export async function addPlentyOrderNote(context: Context, orderId: string, text: string) {
  await plentyRequest(context, '/rest/comments', {
    json: { referenceType: 'order', referenceValue: Number(orderId), text, isVisibleForContact: false },
  })
}

export async function addPlentyShippingPackage(context: Context, orderId: string, packageNumber: string) {
  await plentyRequest(context, `/rest/orders/${orderId}/shipping/packages`, {
    json: { packageId: context.settings.packageId, packageNumber },
  })
}

/** Whether the order already carries this package number (a retry after a lost answer checks first). */
export async function plentyHasShippingPackage(context: Context, orderId: string, packageNumber: string) {
  const response = await plentyRequest(context, `/rest/orders/${orderId}/shipping/packages`)
  const packages = response.json<{ packageNumber?: string | null }[]>()
  return Array.isArray(packages) && packages.some((entry) => entry.packageNumber === packageNumber)
}

/** Whether the order already has a note with exactly this text. */
export async function plentyHasOrderNote(context: Context, orderId: string, text: string) {
  const response = await plentyRequest(context, `/rest/comments/order/${orderId}`)
  const comments = response.json<{ text?: string | null }[]>()
  return Array.isArray(comments) && comments.some((comment) => comment.text === text)
}
