/**
 * The delivery log (issue 19): every inbound webhook request, filtered by connection and by
 * accepted or refused, and one request in full — masked headers, the body indented (and escaped
 * like all text here), the verification, Kontor's answer, and links to what it became.
 */
import { Hono } from 'hono'
import type { FC } from 'hono/jsx'
import { notFound } from '../../core/errors'
import { database } from '../../db/client'
import { prettyJson } from '../../delivery-log/pretty-json'
import { namesOfConnections } from '../../read-models/connection-names'
import { type DeliveryDetail, deliveryDetail, deliveryLogView } from '../../read-models/delivery-log'
import { Badge, ChooseTenant, FilterSelect, Layout, query, Time } from './layout'
import { pageTenant, signedIn, type UiContext, type UiEnv } from './session'
import { Table } from './table'

const PAGE_SIZE = 100

const Result: FC<{ result: string; status: number }> = ({ result, status }) => (
  <span class={result === 'refused' ? 'bad' : 'ok'}>
    {result} <span class="muted">({status})</span>
  </span>
)

async function deliveriesPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Deliveries" page="deliveries" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const filters = {
    connectionId: c.req.query('connectionId') || undefined,
    result: c.req.query('result') || undefined,
    cursor: c.req.query('cursor') || undefined,
  }
  const { connections, page, nextCursor } = await deliveryLogView(database(c.env.DB), tenantId, filters, PAGE_SIZE)
  const names = new Map(connections.map((row) => [row.id, row.name]))
  return c.html(
    <Layout title="Deliveries" page="deliveries" session={session}>
      <p class="muted">Every webhook request to a connection: what arrived, what Kontor answered, what it became.</p>
      <form class="filters" method="get" action="/deliveries">
        <FilterSelect
          label="Connection"
          name="connectionId"
          selected={filters.connectionId}
          options={connections.map((row) => ({ value: row.id, label: row.name }))}
        />
        <FilterSelect
          label="Result"
          name="result"
          selected={filters.result}
          options={[{ value: 'accepted' }, { value: 'refused' }]}
        />
        <button type="submit">Filter</button>
        <a href="/deliveries">clear</a>
      </form>
      <Table
        id="deliveries"
        rows={page}
        empty="No deliveries match."
        columns={[
          {
            label: 'Received',
            cell: (row) => (
              <a href={`/deliveries/${row.id}`}>
                <Time at={row.receivedAt} />
              </a>
            ),
          },
          { label: 'Connection', cell: (row) => names.get(row.connectionId) ?? row.connectionId },
          { label: 'Topic', cell: (row) => row.topic ?? '—' },
          { label: 'Result', cell: (row) => <Result result={row.result} status={row.answerStatus} /> },
          { label: 'Verification', cell: (row) => row.verification },
          { label: 'Import', cell: (row) => <Badge value={row.processing} /> },
          {
            label: 'Reason',
            cell: (row) => (
              <>
                {row.reason ?? ''}
                {row.unrecorded ? (
                  <span class="warn"> (+{row.unrecorded} more refused this minute, counted, not recorded)</span>
                ) : null}
              </>
            ),
          },
        ]}
      />
      {nextCursor ? (
        <p>
          <a href={`/deliveries${query({ ...filters, cursor: nextCursor })}`}>Older deliveries →</a>
        </p>
      ) : null}
    </Layout>
  )
}

const Body: FC<{ body: DeliveryDetail['body']; bytes: number }> = ({ body, bytes }) => {
  if (body.text === null)
    return (
      <p class="muted">
        {body.source === 'not read'
          ? `Not read: refused before its body (${bytes} bytes declared) was read.`
          : 'Removed by retention.'}
      </p>
    )
  return (
    <div>
      <p class="muted">
        {bytes} bytes{body.source === 'inbox' ? ', as stored in the inbox' : ''}
        {body.truncated ? '; only the first 8 KB were kept' : ''}
      </p>
      <pre id="delivery-body">{prettyJson(body.text)}</pre>
    </div>
  )
}

async function deliveryPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Delivery" page="deliveries" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const db = database(c.env.DB)
  const delivery = await deliveryDetail(db, tenantId, c.req.param('id') ?? '')
  if (!delivery) throw notFound('delivery')
  const connectionName = (await namesOfConnections(db, tenantId, [delivery.connectionId])).get(delivery.connectionId)
  return c.html(
    <Layout title={`Delivery ${delivery.topic ?? delivery.id}`} page="deliveries" session={session}>
      <div class="grid">
        <div class="card">
          <dl id="delivery-summary">
            <dt>Received</dt>
            <dd>
              <Time at={delivery.receivedAt} />
            </dd>
            <dt>Connection</dt>
            <dd>{connectionName ?? delivery.connectionId}</dd>
            <dt>Request</dt>
            <dd>
              {delivery.method} <code>{delivery.url}</code>
            </dd>
            <dt>Topic</dt>
            <dd>{delivery.topic ?? '—'}</dd>
            <dt>Delivery key</dt>
            <dd>{delivery.deliveryKey ?? '—'}</dd>
            <dt>Verification</dt>
            <dd>{delivery.verification}</dd>
            <dt>Result</dt>
            <dd>
              <Result result={delivery.result} status={delivery.answerStatus} />
            </dd>
            <dt>Reason</dt>
            <dd>{delivery.reason ?? '—'}</dd>
            <dt>Answer</dt>
            <dd>
              {delivery.answerStatus} <code id="delivery-answer">{delivery.answerBody || '(empty)'}</code>
            </dd>
          </dl>
        </div>
        <div class="card" id="delivery-outcome">
          <dl>
            <dt>Import</dt>
            <dd>
              <Badge value={delivery.processing} />
              {delivery.inbox?.finalReason ? <span> {delivery.inbox.finalReason}</span> : null}
            </dd>
            <dt>Orders</dt>
            <dd>
              {delivery.orders.length
                ? delivery.orders.map((order) => (
                    <span>
                      {/* A rejected order was never written: nothing to link to. */}
                      {order.number === null ? (
                        order.externalId
                      ) : (
                        <a href={`/orders/${order.orderId}`}>{order.number}</a>
                      )}{' '}
                      ({order.result}){' '}
                    </span>
                  ))
                : '—'}
            </dd>
            <dt>Import log</dt>
            <dd>
              {delivery.importLog.length ? (
                <ul>
                  {delivery.importLog.map((line) => (
                    <li>
                      <a href={`/import-log${query({ connectionId: line.connectionId, externalId: line.externalId })}`}>
                        <Badge value={line.result} />
                      </a>{' '}
                      {line.externalId ?? ''} {line.reason ?? ''}
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              )}
            </dd>
            <dt>Dead letter</dt>
            <dd>
              {delivery.deadLetters.length
                ? delivery.deadLetters.map((letter) => (
                    <span>
                      <a href="/dead-letters">{letter.id}</a> {letter.error ?? ''}
                      {letter.replayedAt ? <span class="muted"> (replayed)</span> : null}{' '}
                    </span>
                  ))
                : '—'}
            </dd>
            <dt>Requests</dt>
            <dd>
              {delivery.requests.length > 1
                ? delivery.requests.map((other) => (
                    <span>
                      {other.id === delivery.id ? (
                        <strong>this one</strong>
                      ) : (
                        <a href={`/deliveries/${other.id}`}>
                          <Time at={other.receivedAt} />
                        </a>
                      )}{' '}
                      ({other.answerStatus}){' '}
                    </span>
                  ))
                : 'only this one'}
            </dd>
          </dl>
        </div>
      </div>
      <h2>Headers</h2>
      <table id="delivery-headers">
        <tbody>
          {delivery.headers.map(([name, value]) => (
            <tr>
              <th>{name}</th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Body</h2>
      <Body body={delivery.body} bytes={delivery.bodyBytes} />
      <p>
        <a href="/deliveries">← All deliveries</a>
      </p>
    </Layout>
  )
}

export const deliveryPages = new Hono<UiEnv>()
  .get('/deliveries', signedIn, deliveriesPage)
  .get('/deliveries/:id', signedIn, deliveryPage)
