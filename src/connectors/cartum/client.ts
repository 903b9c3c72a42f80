/**
 * Cartum API calls. A token from `auth` lives 600 s: it is kept in the connection's encrypted
 * session and renewed a minute before it runs out, never fetched per call. Every call is a JSON
 * POST with the token in the body; an UNAUTHORIZED answer renews the token once and retries.
 */
import { FinalError, RetryableError } from '../../core/errors'
import type { ConnectorContext } from '../types'
import { type CartumCredentials, cartumEnvelopeSchema, type CartumSettings } from './schemas'

export const CARTUM_TOKEN_SECONDS = 600
const RENEW_BEFORE_MS = 60_000

type Session = { token: string; expiresAt: string }
type Context = ConnectorContext<CartumCredentials, CartumSettings>

async function login(context: Context): Promise<string> {
  const response = await context.http.request('/api/auth/', {
    json: { login: context.credentials.login, password: context.credentials.password },
  })
  const envelope = cartumEnvelopeSchema.parse(response.json())
  const token = (envelope.response as { token?: string } | undefined)?.token
  if (envelope.status !== 'OK' || !token) throw new FinalError(`Cartum refused the login: ${envelope.status}`)
  const session: Session = {
    token,
    expiresAt: new Date(context.now().getTime() + CARTUM_TOKEN_SECONDS * 1000).toISOString(),
  }
  await context.session.set(session)
  return token
}

async function currentToken(context: Context): Promise<string> {
  const session = await context.session.get<Session>()
  if (session && Date.parse(session.expiresAt) - RENEW_BEFORE_MS > context.now().getTime()) return session.token
  return login(context)
}

/** A token for the calls that answer outside the envelope (`hooks/*`); `renew` logs in again. */
export function cartumToken(context: Context, renew = false): Promise<string> {
  return renew ? login(context) : currentToken(context)
}

const SUCCESS = ['OK', 'WARNING', 'EMPTY']
export const CARTUM_UNAUTHORIZED = ['UNAUTHORIZED', 'AUTHORIZATION_ERROR']
const UNAUTHORIZED = CARTUM_UNAUTHORIZED

/** Calls `/api/{fn}/` and returns the envelope's `response` (and status), renewing the token once if needed. */
export async function callCartum<T>(
  context: Context,
  fn: string,
  params: Record<string, unknown>
): Promise<{ status: string; response: T }> {
  for (let attempt = 1; ; attempt++) {
    const token = attempt === 1 ? await currentToken(context) : await login(context)
    const reply = await context.http.request(`/api/${fn}/`, { json: { token, ...params } })
    const envelope = cartumEnvelopeSchema.parse(reply.json())
    if (SUCCESS.includes(envelope.status)) return { status: envelope.status, response: envelope.response as T }
    if (UNAUTHORIZED.includes(envelope.status) && attempt === 1) continue
    const message = (envelope.response as { message?: string } | undefined)?.message ?? ''
    if (envelope.status === 'EXCEPTION') throw new RetryableError(`Cartum ${fn}: ${envelope.status} ${message}`)
    throw new FinalError(`Cartum ${fn}: ${envelope.status} ${message}`)
  }
}
