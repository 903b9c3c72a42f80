/**
 * One order: lines, customer, tracking, the event feed, hand-overs to destinations and every
 * outbound call made for it with its result. Read with the API's tenant-scoped read model.
 */
import type { FC } from 'hono/jsx'
import { notFound } from '../../core/errors'
import { database } from '../../db/client'
import { returnDetails, returnedLinesText } from '../../core/returns'
import { readOrder } from '../../orders/read-model'
import { type NamedTarget, namesOfTargets } from '../../read-models/connection-names'
import { orderActivity } from '../../read-models/outbound-calls'
import { Badge, ChooseTenant, Layout, Time } from './layout'
import { TargetName } from './names'
import { OutboundCallTable } from './outbound-call-table'
import { OrderActions, type OrderActionsState } from './order-actions'
import { pageTenant, type UiContext } from './session'

type Order = NonNullable<Awaited<ReturnType<typeof readOrder>>>
type Tracking = { number?: string; carrier?: string | null; url?: string | null }

function json(value: unknown) {
  return value === null || value === undefined ? '' : JSON.stringify(value, null, 1)
}

function addressText(value: unknown): string {
  if (!value || typeof value !== 'object') return ''
  const a = value as Record<string, unknown>
  return [
    [a.firstName, a.lastName].filter(Boolean).join(' '),
    a.company,
    a.street ?? a.address1,
    a.address2,
    [a.postcode ?? a.zip, a.city].filter(Boolean).join(' '),
    a.country ?? a.countryCode,
  ]
    .filter((part) => typeof part === 'string' && part)
    .join(', ')
}

const Summary: FC<{ order: Order; connectionName: string }> = ({ order, connectionName }) => (
  <div class="grid">
    <div class="card">
      <dl>
        <dt>Status</dt>
        <dd>
          <Badge value={order.status} /> {order.writtenOff ? <span class="badge">written off</span> : null}
        </dd>
        <dt>Platform status</dt>
        <dd>{order.platformStatus ?? '—'}</dd>
        <dt>Total</dt>
        <dd>
          {order.total} {order.currency}
          {order.shippingCost ? <span class="muted"> (shipping {order.shippingCost})</span> : null}
        </dd>
        <dt>Connection</dt>
        <dd>
          {connectionName}{' '}
          <span class="muted">
            ({order.platform} #{order.externalId})
          </span>
        </dd>
        <dt>Created</dt>
        <dd>
          <Time at={order.createdAt} />
        </dd>
        <dt>Last change</dt>
        <dd data-last-change>
          <Time at={order.changedAt} />
        </dd>
        <dt>Updated on {order.platform}</dt>
        <dd>
          <Time at={order.updatedAt} />
        </dd>
      </dl>
    </div>
    <div class="card" id="customer">
      <dl>
        <dt>Customer</dt>
        <dd>
          {order.customer
            ? order.customer.notSpecified
              ? 'not specified'
              : [order.customer.firstName, order.customer.lastName].filter(Boolean).join(' ') || '—'
            : '—'}
        </dd>
        <dt>Email</dt>
        <dd>{order.customer?.email ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{order.customer?.phone ?? '—'}</dd>
        <dt>Shipping to</dt>
        <dd>{addressText(order.shippingAddress) || '—'}</dd>
        <dt>Billing</dt>
        <dd>{addressText(order.billingAddress) || '—'}</dd>
      </dl>
    </div>
  </div>
)

const Lines: FC<{ order: Order }> = ({ order }) => (
  <table id="lines">
    <thead>
      <tr>
        <th>#</th>
        <th>Product</th>
        <th>SKU</th>
        <th>Code</th>
        <th>Quantity</th>
        <th>Returned</th>
        <th>Unit price</th>
        <th>Total</th>
      </tr>
    </thead>
    <tbody>
      {order.lines.map((line, index) => (
        <tr>
          <td>{index + 1}</td>
          <td>{line.name}</td>
          <td>{line.sku ?? '—'}</td>
          <td>{line.code ?? '—'}</td>
          <td>{line.quantity}</td>
          <td>{line.returnedQuantity || ''}</td>
          <td>{line.unitPrice}</td>
          <td>{line.total}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

/** RT1: each return the warehouse booked (or the back-office reported), with its lines and reason. */
const Returns: FC<{ order: Order; names: Map<string, NamedTarget> }> = ({ order, names }) => {
  const returns = order.events.filter((event) => event.type === 'returned')
  if (!returns.length) return <p class="muted">Nothing came back.</p>
  return (
    <table id="returns">
      <thead>
        <tr>
          <th>At</th>
          <th>Lines</th>
          <th>Reason</th>
          <th>Booking</th>
          <th>Source</th>
        </tr>
      </thead>
      <tbody>
        {returns.map((event) => {
          const details = returnDetails(event.data as Record<string, unknown> | null)
          return (
            <tr>
              <td>
                <Time at={event.at} />
              </td>
              <td>{returnedLinesText(details.lines)}</td>
              <td>{details.reason ?? '—'}</td>
              <td>{details.bookingId ?? '—'}</td>
              <td class="source">
                <EventSource source={event.source} names={names} />
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

const TrackingList: FC<{ tracking: Tracking[] }> = ({ tracking }) =>
  tracking.length ? (
    <ul id="tracking">
      {tracking.map((entry) => (
        <li>
          {entry.url && /^https?:\/\//i.test(entry.url) ? (
            <a href={entry.url} rel="noreferrer noopener" target="_blank">
              {entry.number}
            </a>
          ) : (
            entry.number
          )}{' '}
          <span class="muted">{entry.carrier ?? ''}</span>
        </li>
      ))}
    </ul>
  ) : (
    <p class="muted">No tracking yet.</p>
  )

/** `platform` and `api` as they are; a destination that reported the event by its name. */
const EventSource: FC<{ source: string; names: Map<string, NamedTarget> }> = ({ source, names }) =>
  names.has(source) ? <TargetName id={source} target={names.get(source)} /> : <span>{source}</span>

const Events: FC<{ order: Order; names: Map<string, NamedTarget> }> = ({ order, names }) =>
  order.events.length ? (
    <table id="events">
      <thead>
        <tr>
          <th>At</th>
          <th>Event</th>
          <th>Source</th>
          <th>Message</th>
          <th>Data</th>
        </tr>
      </thead>
      <tbody>
        {order.events.map((event) => (
          <tr>
            <td>
              <Time at={event.at} />
            </td>
            <td>
              <Badge value={event.type} />
            </td>
            <td class="source">
              <EventSource source={event.source} names={names} />
            </td>
            <td>{event.message ?? ''}</td>
            <td>
              <pre>{json(event.data)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  ) : (
    <p class="muted">No events.</p>
  )

/** `actions`: what a form on this page just did (order-actions.tsx), shown with the page. */
export async function orderDetailPage(c: UiContext, actions: OrderActionsState = {}, status: 200 | 400 | 409 = 200) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Order" page="orders" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const db = database(c.env.DB)
  const order = await readOrder(db, tenantId, c.req.param('id') ?? '')
  if (!order) throw notFound('order')
  const { calls, handovers: handoverRows } = await orderActivity(db, tenantId, order.id)
  const connectionIds = [
    ...new Set([
      order.connectionId,
      ...calls.map((call) => call.connectionId),
      ...handoverRows.map((h) => h.destinationId),
      ...order.events.map((event) => event.source),
    ]),
  ]
  const names = await namesOfTargets(db, tenantId, connectionIds)
  const nameOf = (id: string) => names.get(id)?.name ?? id
  return c.html(
    <Layout title={`Order ${order.number}`} page="orders" session={session} notice={actions.notice}>
      <p>
        <a href="/orders">← all orders</a>
      </p>
      <Summary order={order} connectionName={nameOf(order.connectionId)} />
      <OrderActions
        orderId={order.id}
        session={session}
        calls={calls}
        handovers={handoverRows}
        nameOf={nameOf}
        state={actions}
      />
      <h2>Lines</h2>
      <Lines order={order} />
      <h2>Returns</h2>
      <Returns order={order} names={names} />
      <h2>Tracking</h2>
      <TrackingList tracking={(order.tracking ?? []) as Tracking[]} />
      <h2>Events</h2>
      <Events order={order} names={names} />
      <h2>Hand-overs</h2>
      {handoverRows.length ? (
        <table id="handovers">
          <thead>
            <tr>
              <th>Destination</th>
              <th>State</th>
              <th>Reference</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {handoverRows.map((handover) => (
              <tr>
                <td>{nameOf(handover.destinationId)}</td>
                <td>
                  <Badge value={handover.state} />
                </td>
                <td>{handover.reference ?? '—'}</td>
                <td>{handover.attempts}</td>
                <td class={handover.lastError ? 'bad' : undefined}>{handover.lastError ?? ''}</td>
                <td>
                  <Time at={handover.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Not handed over to any destination.</p>
      )}
      <h2>Outbound calls</h2>
      <OutboundCallTable calls={calls} names={names} empty="No outbound calls for this order." />
    </Layout>,
    status
  )
}
