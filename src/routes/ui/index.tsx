/**
 * The operator's dashboard, mounted at `/`: server-rendered HTML (Hono JSX), plain forms, one
 * inline stylesheet, no scripts. Every route names its own middleware (no `use('*')`), so
 * mounting it at `/` leaves /api/v1, /webhooks and the rest untouched. Errors become HTML pages.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ApiError } from '../../core/errors'
import { logger } from '../../core/logger'
import { connectionsPage } from './connections'
import { connectionFormPages } from './connection-forms'
import { deadLetterPages } from './dead-letters'
import { importLogPage } from './import-log'
import { Document, pageHeaders } from './layout'
import { orderActionPages } from './order-actions'
import { orderDetailPage } from './order-detail'
import { outboundCallsPage } from './outbound-calls'
import { overviewPage, overviewPages } from './overview'
import { ordersPage } from './orders'
import { signedIn, type UiEnv } from './session'
import { signInRoutes } from './sign-in'
import { auditLogPage } from './audit-log'
import { hubPages } from './hub'
import { tenantPages } from './tenants'
import { tokenPages } from './tokens'
import { stockPage } from './stock'
import { deliveryPages } from './deliveries'

export const ui = new Hono<UiEnv>()

// Each path by name: a `use('*')` here would run for every route of the app this is mounted in.
for (const path of [
  '/',
  '/sign-in',
  '/sign-out',
  '/tenant',
  '/orders',
  '/orders/*',
  '/import-log',
  '/outbound-calls',
  '/dead-letters',
  '/dead-letters/*',
  '/tokens',
  '/tokens/*',
  '/hub',
  '/hub/*',
  '/audit-log',
  '/tenants',
  '/tenants/*',
  '/stock',
  '/overview',
  '/tenant/*',
  '/deliveries',
  '/deliveries/*',
  '/connections',
  '/connections/*',
]) {
  ui.use(path, pageHeaders)
}
// The operator without a chosen tenant lands on the overview of every tenant.
ui.get('/', signedIn, (c) => (c.get('session').tenantId ? connectionsPage(c) : overviewPage(c)))
ui.get('/orders', signedIn, ordersPage)
ui.get('/orders/:id', signedIn, (c) => orderDetailPage(c))
ui.get('/import-log', signedIn, importLogPage)
ui.get('/stock', signedIn, stockPage)
ui.get('/outbound-calls', signedIn, outboundCallsPage)
ui.route('/', signInRoutes)
ui.route('/', deadLetterPages)
ui.get('/audit-log', signedIn, auditLogPage)
ui.route('/', tokenPages)
ui.route('/', hubPages)
ui.route('/', tenantPages)
ui.route('/', overviewPages)
ui.route('/', deliveryPages)
ui.route('/', orderActionPages)
ui.route('/', connectionFormPages)

ui.onError((error, c) => {
  const status = error instanceof ApiError || error instanceof HTTPException ? error.status : 500
  if (status >= 500) {
    logger.error('dashboard error', {
      path: c.req.path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    })
  }
  const message = status >= 500 ? 'Something went wrong on our side.' : error.message || 'That did not work.'
  return c.html(
    <Document title="Error">
      <main>
        <h1>{status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Error'}</h1>
        <p class="error">{message}</p>
        <p>
          <a href="/">Back to the dashboard</a>
        </p>
      </main>
    </Document>,
    status as 400
  )
})
