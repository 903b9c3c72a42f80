/**
 * plentymarkets REST calls. plenty allows only a few concurrent back-end sessions (3 by
 * default), so the bearer token is kept, encrypted, in the connection's session and reused
 * until shortly before `expires_in`; then `/rest/login/refresh` renews it, and only a failed
 * refresh logs in again. Both snake_case and camelCase token fields are read. When the
 * `X-Plenty-*-Calls-Left` headers reach zero, the next call waits the period's decay (inline
 * when short, else the queue retries later).
 */
import { RetryableError } from '../../core/errors'
import type { HttpRequest } from '../../core/http-client'
import type { ConnectorContext } from '../types'
import type { PlentyCredentials, PlentySettings } from './schemas'

type Context = ConnectorContext<PlentyCredentials, PlentySettings>
type Session = { accessToken: string; refreshToken: string | null; expiresAt: string }

const RENEW_BEFORE_MS = 5 * 60_000
const LIMIT_PREFIXES = ['x-plenty-global-short-period', 'x-plenty-global-long-period', 'x-plenty-route']

/** Per connection: until when plenty asked us to hold back (set from the rate headers). */
const pausedUntil = new Map<string, number>()

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

async function login(context: Context): Promise<Session> {
  const response = await context.http.request('/rest/login', {
    json: { username: context.credentials.username, password: context.credentials.password },
  })
  const session = readTokenResponse(response.json(), context.now())
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
  await context.session.set(session)
  return session
}

async function validSession(context: Context): Promise<Session> {
  const session = await context.session.get<Session>()
  if (!session) return login(context)
  if (Date.parse(session.expiresAt) - RENEW_BEFORE_MS > context.now().getTime()) return session
  return refresh(context, session)
}

async function respectRateLimit(connectionId: string) {
  const until = pausedUntil.get(connectionId) ?? 0
  const waitMs = until - Date.now()
  if (waitMs <= 0) return
  if (waitMs <= 2000) await new Promise((resolve) => setTimeout(resolve, waitMs))
  else throw new RetryableError('plentymarkets call limit reached', Math.ceil(waitMs / 1000))
}

function noteRateLimit(connectionId: string, headers: Headers) {
  for (const prefix of LIMIT_PREFIXES) {
    const left = headers.get(`${prefix}-calls-left`)
    if (left !== null && Number(left) <= 0) {
      const decay = Number(headers.get(`${prefix}-decay`) ?? 1)
      pausedUntil.set(connectionId, Math.max(pausedUntil.get(connectionId) ?? 0, Date.now() + decay * 1000))
    }
  }
}

/** An authenticated call; a 401 (token revoked) logs in once more and retries. */
export async function plentyRequest(context: Context, path: string, request: HttpRequest = {}) {
  for (let attempt = 1; ; attempt++) {
    await respectRateLimit(context.connection.id)
    const session = attempt === 1 ? await validSession(context) : await login(context)
    const response = await context.http.request(path, {
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${session.accessToken}` },
      accept: [...(request.accept ?? []), 401],
    })
    noteRateLimit(context.connection.id, response.headers)
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
