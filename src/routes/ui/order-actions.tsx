/**
 * What an operator can do on an order's page (issue 19): retry a failed write-back or hand-over
 * now, and report an event. Plain forms (CSRF token and Origin check, as every dashboard form)
 * over the API's own use cases and zod schema: a retry claims only the attempt the page showed,
 * so a second click is refused, and the event form carries an idempotency key, so a double
 * submit records one event.
 */
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import type { FC } from 'hono/jsx'
import { ApiError } from '../../core/errors'
import { randomId } from '../../core/ids'
import { database } from '../../db/client'
import { retryHandover } from '../../handover/retry'
import { recordOrderEvent } from '../../orders/record-event'
import type { orderActivity } from '../../read-models/outbound-calls'
import { retryWriteBack } from '../../queue/retry-write-back'
import { OrderEvent, orderEventInput, scopeToReport } from '../api/order-event-schema'
import { CsrfField } from './layout'
import { orderDetailPage } from './order-detail'
import { csrfToken, pageTenant, type Session, signedIn, type UiContext, type UiEnv } from './session'

/** The events an operator reports by hand (SPEC §4); the others come from platforms and destinations. */
const REPORTABLE = [
  'processing',
  'shipped',
  'address_error',
  'stock_error',
  'cancelled',
  'cancel_refused',
  'written_off',
  'comment',
] as const

type FormValues = Record<string, string>
/** What a POST on the order page leaves for the page it renders again. */
export type OrderActionsState = {
  notice?: string
  error?: string
  event?: { values: FormValues; errors: Record<string, string> }
}

type Activity = Awaited<ReturnType<typeof orderActivity>>
type CallRow = Activity['calls'][number]
type HandoverRow = Activity['handovers'][number]
const WRITE_BACK = 'write-back:'

const RetryButton: FC<{ action: string; attempts: number; session: Session; label: string }> = (props) => (
  <form method="post" action={props.action}>
    <CsrfField session={props.session} />
    <input type="hidden" name="seenAttempts" value={String(props.attempts)} />
    <button type="submit">{props.label}</button>
  </form>
)

const FieldError: FC<{ errors: Record<string, string>; name: string }> = ({ errors, name }) =>
  errors[name] ? (
    <span class="bad" data-error-for={name}>
      {errors[name]}
    </span>
  ) : null

const ReportEventForm: FC<{ orderId: string; session: Session; state: OrderActionsState['event'] }> = ({
  orderId,
  session,
  state,
}) => {
  const values = state?.values ?? {}
  const errors = state?.errors ?? {}
  return (
    <form method="post" action={`/orders/${encodeURIComponent(orderId)}/events`} id="report-event" class="filters">
      <CsrfField session={session} />
      {/* A double submit (or a reload of the answer) carries the same key: one event. */}
      <input type="hidden" name="idempotencyKey" value={values.idempotencyKey || randomId('ui')} />
      <label>
        Event
        <select name="type">
          {REPORTABLE.map((type) => (
            <option value={type} selected={type === (values.type ?? 'processing')}>
              {type}
            </option>
          ))}
        </select>
        <FieldError errors={errors} name="type" />
      </label>
      <label>
        Message
        <input name="message" value={values.message ?? ''} maxlength={2000} />
        <FieldError errors={errors} name="message" />
      </label>
      <label>
        Tracking number
        <input name="trackingNumber" value={values.trackingNumber ?? ''} />
        <FieldError errors={errors} name="trackingNumber" />
      </label>
      <label>
        Carrier
        <input name="trackingCarrier" value={values.trackingCarrier ?? ''} />
        <FieldError errors={errors} name="trackingCarrier" />
      </label>
      <label>
        Tracking link
        <input name="trackingUrl" value={values.trackingUrl ?? ''} />
        <FieldError errors={errors} name="trackingUrl" />
      </label>
      <button type="submit">Report</button>
    </form>
  )
}

export const OrderActions: FC<{
  orderId: string
  session: Session
  calls: CallRow[]
  handovers: HandoverRow[]
  nameOf: (id: string) => string
  state: OrderActionsState
}> = ({ orderId, session, calls, handovers, nameOf, state }) => {
  const order = encodeURIComponent(orderId)
  const failedWriteBacks = calls.filter((call) => call.stepKey?.startsWith(WRITE_BACK) && call.result === 'failed')
  const failedHandovers = handovers.filter((handover) => handover.state === 'failed')
  return (
    <section id="order-actions">
      {state.error ? <p class="error">{state.error}</p> : null}
      {failedWriteBacks.length || failedHandovers.length ? (
        <table id="failed-work">
          <thead>
            <tr>
              <th>Failed</th>
              <th>Connection</th>
              <th>Attempts</th>
              <th>Error</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {failedWriteBacks.map((call) => (
              <tr data-write-back={call.stepKey!.slice(WRITE_BACK.length)}>
                <td>{call.action}</td>
                <td>{nameOf(call.connectionId)}</td>
                <td>{call.attempts}</td>
                <td class="bad">{call.detail ?? ''}</td>
                <td>
                  <RetryButton
                    action={`/orders/${order}/write-backs/${encodeURIComponent(call.stepKey!.slice(WRITE_BACK.length))}/retry`}
                    attempts={call.attempts}
                    session={session}
                    label="Retry write-back"
                  />
                </td>
              </tr>
            ))}
            {failedHandovers.map((handover) => (
              <tr data-handover={handover.id}>
                <td>hand-over</td>
                <td>{nameOf(handover.destinationId)}</td>
                <td>{handover.attempts}</td>
                <td class="bad">{handover.lastError ?? ''}</td>
                <td>
                  <RetryButton
                    action={`/orders/${order}/handovers/${encodeURIComponent(handover.id)}/retry`}
                    attempts={handover.attempts}
                    session={session}
                    label="Retry hand-over"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Report an event</h2>
      <ReportEventForm orderId={orderId} session={session} state={state.event} />
    </section>
  )
}

function text(form: Record<string, unknown>, name: string): string {
  const value = form[name]
  return typeof value === 'string' ? value.trim() : ''
}

function seenAttempts(form: Record<string, unknown>): number | undefined {
  const value = Number(text(form, 'seenAttempts'))
  return Number.isInteger(value) && value > 0 ? value : undefined
}

/** The form's field a schema issue is about: `tracking.0.url` is the "Tracking link" field. */
function fieldOf(path: PropertyKey[]): string {
  if (path[0] !== 'tracking') return String(path[0] ?? 'type')
  const part = path[2]
  return part === 'url' ? 'trackingUrl' : part === 'carrier' ? 'trackingCarrier' : 'trackingNumber'
}

/** A failed action renders the page again with its message; anything else is thrown on. */
async function withMessage(c: UiContext, action: () => Promise<OrderActionsState>) {
  try {
    return orderDetailPage(c, await action())
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 403 || error.status === 404) throw error
    return orderDetailPage(c, { error: error.message }, error.status === 409 ? 409 : 400)
  }
}

function tenantFor(c: UiContext, scope: 'orders' | 'stock') {
  const tenantId = pageTenant(c, scope)
  if (!tenantId) throw new ApiError(400, 'tenant_required', 'choose a tenant first')
  return tenantId
}

export const orderActionPages = new Hono<UiEnv>()
  .post('/orders/:id/write-backs/:eventId/retry', csrf(), signedIn, csrfToken, (c) =>
    withMessage(c, async () => {
      const retried = await retryWriteBack(c.env, database(c.env.DB), {
        tenantId: tenantFor(c, 'orders'),
        orderId: c.req.param('id'),
        eventId: c.req.param('eventId'),
        seenAttempts: seenAttempts(await c.req.parseBody()),
      })
      return { notice: `The write-back ran again: ${retried.result}${retried.detail ? ` (${retried.detail})` : ''}.` }
    })
  )
  .post('/orders/:id/handovers/:handoverId/retry', csrf(), signedIn, csrfToken, (c) =>
    withMessage(c, async () => {
      const retried = await retryHandover(c.env, database(c.env.DB), {
        tenantId: tenantFor(c, 'orders'),
        orderId: c.req.param('id'),
        handoverId: c.req.param('handoverId'),
        seenAttempts: seenAttempts(await c.req.parseBody()),
      })
      return {
        notice: `The hand-over ran again: ${retried.state}${retried.lastError ? ` (${retried.lastError})` : ''}.`,
      }
    })
  )
  .post('/orders/:id/events', csrf(), signedIn, csrfToken, async (c) => {
    const form = await c.req.parseBody()
    const values: FormValues = Object.fromEntries(
      ['type', 'message', 'trackingNumber', 'trackingCarrier', 'trackingUrl', 'idempotencyKey'].map((name) => [
        name,
        text(form, name),
      ])
    )
    const parsed = OrderEvent.safeParse({
      type: values.type,
      message: values.message || undefined,
      tracking:
        values.trackingNumber || values.trackingCarrier || values.trackingUrl
          ? [
              {
                number: values.trackingNumber,
                carrier: values.trackingCarrier || null,
                url: values.trackingUrl || undefined,
              },
            ]
          : undefined,
    })
    if (!parsed.success) {
      const errors: Record<string, string> = {}
      for (const issue of parsed.error.issues) errors[fieldOf(issue.path)] ??= issue.message
      return orderDetailPage(c, { event: { values, errors } }, 400)
    }
    return withMessage(c, async () => {
      const recorded = await recordOrderEvent(
        database(c.env.DB),
        { sync: c.env.SYNC, dispatch: c.env.DISPATCH },
        {
          tenantId: tenantFor(c, scopeToReport(parsed.data.type)),
          orderId: c.req.param('id'),
          event: orderEventInput(parsed.data),
          idempotencyKey: values.idempotencyKey ? `dashboard:${values.idempotencyKey}` : null,
          source: 'dashboard',
        }
      )
      return {
        notice: recorded.duplicate
          ? `This ${parsed.data.type} was reported already; it is recorded once.`
          : `Reported ${parsed.data.type}; the write-back to the source is queued.`,
      }
    })
  })
