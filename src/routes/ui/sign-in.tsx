/**
 * Signing in with a token (the operator's ADMIN_TOKEN or a tenant token), signing out, and the
 * operator's tenant choice. The token is checked exactly as the API checks a bearer token.
 * Sign-in is rate-limited per client address and per token tried (429 with Retry-After), and
 * every answer, right or wrong, takes SIGN_IN_MS: how long it took says nothing about the token.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import type { FC } from 'hono/jsx'
import { sha256Hex } from '../../core/crypto'
import { clientAddress, enforceLimits, RateLimitedError } from '../../core/rate-limit'
import { tenantExists, callerForToken } from '../api/auth'
import { Document } from './layout'
import { chooseTenant, csrfToken, endSession, signedIn, startSession, type UiEnv } from './session'

/** Every sign-in answer takes this long, well above the work of either outcome. */
export const SIGN_IN_MS = 400

/** Waits until `durationMs` have passed since `startedAt`. */
export async function takeAtLeast(startedAt: number, durationMs: number, now = Date.now) {
  const rest = startedAt + durationMs - now()
  if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
}

const SignInPage: FC<{ error?: string }> = ({ error }) => (
  <Document title="Sign in">
    <form class="signin" method="post" action="/sign-in">
      <h1>Kontor</h1>
      <p class="muted">Sign in with the operator token or a tenant token.</p>
      {error ? <p class="error">{error}</p> : null}
      <p>
        <label for="token">Token</label>
        <br />
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
      </p>
      <button type="submit">Sign in</button>
    </form>
  </Document>
)

export const signInRoutes = new Hono<UiEnv>()
  .get('/sign-in', (c) => c.html(<SignInPage />))
  .post('/sign-in', csrf(), async (c) => {
    const startedAt = Date.now()
    const form = await c.req.parseBody()
    const token = typeof form.token === 'string' ? form.token.trim() : ''
    try {
      await enforceLimits(c.env.SIGN_IN_LIMIT, [
        { key: `address:${clientAddress(c.req.raw.headers)}`, what: 'from this address' },
        { key: `token:${await sha256Hex(token)}`, what: 'with this token' },
      ])
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error
      c.header('Retry-After', String(error.retryAfterSeconds))
      return c.html(<SignInPage error="Too many sign-in attempts. Wait a minute and try again." />, 429)
    }
    const caller = token ? await callerForToken(c.env, token) : null
    await takeAtLeast(startedAt, SIGN_IN_MS)
    if (!caller) return c.html(<SignInPage error="That token is not valid." />, 401)
    startSession(c, token)
    return c.redirect('/', 303)
  })
  .post('/sign-out', csrf(), signedIn, csrfToken, (c) => {
    endSession(c)
    return c.redirect('/sign-in', 303)
  })
  .post('/tenant', csrf(), signedIn, csrfToken, async (c) => {
    const form = await c.req.parseBody()
    const tenantId = typeof form.tenantId === 'string' ? form.tenantId : ''
    if (c.get('session').caller.kind === 'operator' && tenantId && (await tenantExists(c.env, tenantId))) {
      chooseTenant(c, tenantId)
    }
    const back = c.req.header('referer')
    const path = back && new URL(back).origin === new URL(c.req.url).origin ? new URL(back).pathname : '/'
    // Ids in the old path (an order's page) belong to the old tenant: go to the list instead.
    return c.redirect(path.startsWith('/orders/') ? '/orders' : path, 303)
  })
