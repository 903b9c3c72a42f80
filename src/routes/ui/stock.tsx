/**
 * The Stock page (ST5): per SKU Wemalo's figures, the sellable quantity and per channel what
 * Kontor last wrote and when; a channel whose own figure drifted from it is highlighted. Search
 * by SKU (from its start); reads the same read model as `GET /api/v1/stock`.
 */
import { database } from '../../db/client'
import { listStock } from '../../stock/read-model'
import { ChooseTenant, Layout, query, Time } from './layout'
import { pageTenant, type UiContext } from './session'

const PAGE_SIZE = 100

export async function stockPage(c: UiContext) {
  const session = c.get('session')
  const tenantId = pageTenant(c, 'read')
  if (!tenantId)
    return c.html(
      <Layout title="Stock" page="stock" session={session}>
        <ChooseTenant />
      </Layout>
    )
  const filters = {
    sku: c.req.query('sku')?.trim() || undefined,
    drift: c.req.query('drift') === 'true' ? 'true' : undefined,
    cursor: c.req.query('cursor') || undefined,
  }
  const { items, nextCursor } = await listStock(database(c.env.DB), tenantId, {
    sku: filters.sku,
    driftOnly: filters.drift === 'true',
    cursor: filters.cursor,
    limit: PAGE_SIZE,
  })
  return c.html(
    <Layout title="Stock" page="stock" session={session}>
      <form class="filters" method="get" action="/stock">
        <label>
          SKU
          <input name="sku" value={filters.sku ?? ''} placeholder="starts with…" />
        </label>
        <label>
          <span>
            <input type="checkbox" name="drift" value="true" checked={filters.drift === 'true'} /> drift only
          </span>
        </label>
        <button type="submit">Search</button>
        <a href="/stock">clear</a>
      </form>
      {items.length ? (
        <table id="stock">
          <thead>
            <tr>
              <th>SKU</th>
              <th>Wemalo (physical / reserved / free)</th>
              <th>In flight</th>
              <th>Sellable</th>
              <th>Channels: last written · channel's own figure</th>
              <th>Read</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr data-sku={item.sku} class={item.channels.some((channel) => channel.drift) ? 'drift' : undefined}>
                <td>
                  <strong>{item.sku}</strong>
                </td>
                <td>
                  {item.physical} / {item.reserved} / {item.notReserved}
                </td>
                <td>{item.inFlight}</td>
                <td>
                  <strong>{item.sellable}</strong>
                </td>
                <td>
                  <ul class="channels">
                    {item.channels.map((channel) => (
                      <li class={channel.drift ? 'bad' : undefined} data-channel={channel.platform ?? ''}>
                        {channel.name ?? channel.connectionId}: {channel.quantity ?? '—'}
                        {channel.writtenAt ? (
                          <span class="muted">
                            {' '}
                            (<Time at={channel.writtenAt} />)
                          </span>
                        ) : null}
                        {channel.pending ? <span class="badge pending">pending</span> : null}
                        {channel.skippedReason ? (
                          <span class="badge skipped">skipped: {channel.skippedReason}</span>
                        ) : null}
                        {channel.reconciledAt ? (
                          <span class={channel.drift ? 'badge failed' : 'muted'}>
                            {' '}
                            · channel has {channel.channelQuantity ?? 'no figure'}
                            {channel.drift ? ' — drift' : ''}
                          </span>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <Time at={item.readAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">
          No stock matches. Stock appears once a Wemalo warehouse with channels routed to it was read.
        </p>
      )}
      {nextCursor ? (
        <p>
          <a href={`/stock${query({ ...filters, cursor: nextCursor })}`}>More SKUs →</a>
        </p>
      ) : null}
    </Layout>
  )
}
