/**
 * Signing in with a token (the operator's ADMIN_TOKEN or a tenant token), signing out, and the
 * operator's tenant choice. The token is checked exactly as the API checks a bearer token.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import type { FC } from 'hono/jsx'
import { tenantExists, callerForToken } from '../api/auth'
import { Document } from './layout'
import { chooseTenant, csrfToken, endSession, signedIn, startSession, type UiEnv } from './session'

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
    const form = await c.req.parseBody()
    const token = typeof form.token === 'string' ? form.token.trim() : ''
    if (!token || !(await callerForToken(c.env, token))) {
      return c.html(<SignInPage error="That token is not valid." />, 401)
    }
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
