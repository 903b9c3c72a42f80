/**
 * A consumer that throws halfway through a batch. plentymarkets pages are 50 orders; after the
 * import, the connector sets each order to 5.1 (PM3, `afterOrderImported`). The simulator fails
 * that call for the 25th order once — before the write, or after it with the answer lost — so
 * the page message throws with 24 orders done and is delivered again. The redelivered page must
 * leave the hub exactly as a run without the fault: no second order, line, event, log row, hub
 * delivery or hand-over.
 */
import { describe, expect, it } from 'vitest'
import { api, createConnection, createTenant, simulatorCall, uniqueName, waitForJob } from '../helpers'
import { plentyOrderPayload } from '../simulators/plentymarkets'
import {
  captureLogs,
  deadLetterCount,
  expectExactlyOnce,
  expectNothingSecretLogged,
  hubCounts,
  logLines,
  report,
  rows,
  secret,
} from './support'

captureLogs()

const PAGE = 50
const FAILING = 25

async function run(fault: Record<string, unknown> | null) {
  const host = `${uniqueName('p')}.plentymarkets-cloud01.com`
  const password = secret(`pw-${crypto.randomUUID()}`)
  await simulatorCall(host, '/_sim/system', { username: 'kontor', password, callsPerPeriod: 200 })
  const first = 40_000
  const ids = Array.from({ length: PAGE }, (_, index) => first + index)
  await simulatorCall(host, '/_sim/orders', { orders: ids.map((id) => plentyOrderPayload({ id })) })
  const failingId = ids[FAILING - 1]
  if (fault)
    await simulatorCall(host, '/_sim/faults', {
      method: 'PUT',
      pathIncludes: `/rest/orders/${failingId}`,
      times: 1,
      ...fault,
    })
  const tenant = await createTenant('EUR')
  secret(tenant.token)
  // A hub endpoint, so each import also writes an order.imported delivery that must not double.
  const endpoint = await api('/api/v1/webhook-endpoints', {
    token: tenant.token,
    body: { url: `https://${uniqueName('r')}.hooks.test/kontor`, events: ['*'] },
  })
  expect(endpoint.status).toBe(201)
  secret(((await endpoint.json()) as { secret: string }).secret)
  const connection = await createConnection(tenant.token, {
    platform: 'plentymarkets',
    credentials: {
      url: `https://${host}`,
      username: 'kontor',
      password,
      plentyId: 1000,
      warehouseId: 1,
      storageLocationId: 0,
    },
  })
  const job = await waitForJob(connection.backfillJobId!, 60_000)
  expect(job.status).toBe('done')
  const state = await expectExactlyOnce(connection.id, ids.map(String), undefined)
  const { requests } = await simulatorCall(host, '/_sim/requests')
  const puts = (requests as { method: string; path: string; status: number }[]).filter(
    (request) => request.method === 'PUT' && request.path === `/rest/orders/${failingId}`
  )
  const statuses = (
    await Promise.all(ids.map(async (id) => (await simulatorCall(host, `/_sim/orders/${id}`)).statusId))
  ).filter((status) => status !== 5.1)
  expect(statuses).toEqual([])
  const logged = await rows<{ result: string; n: number }>(
    'select result, count(*) as n from import_log where connection_id = ? group by result order by result',
    connection.id
  )
  return { tenant, connection, state, puts, logged }
}

/** The hub's state without ids that differ between runs: per order position on the page. */
const normalised = (state: Awaited<ReturnType<typeof hubCounts>>) =>
  Object.values(state).map(({ orders, lines, created, events, deliveries, handovers }) => ({
    orders,
    lines,
    created,
    events,
    deliveries,
    handovers,
  }))

describe('a page that fails halfway is delivered again', () => {
  it(`PM3: the hook fails for order ${FAILING} of ${PAGE} (before the write, and after it with the answer lost): the redelivered page changes nothing`, async ({
    task,
  }) => {
    const [control, before, lost] = await Promise.all([
      run(null),
      run({ status: 500 }),
      run({ status: 503, applied: true }),
    ])
    expect(control.puts.map((request) => request.status)).toEqual([200])
    expect(before.puts.map((request) => request.status)).toEqual([500, 200])
    // With the answer lost the status was set: the redelivered page no longer finds the order in 5.
    expect(lost.puts.map((request) => request.status)).toEqual([503])
    expect(
      logLines().filter((line) => line.includes('queue message failed') && line.includes('/rest/orders/')).length
    ).toBeGreaterThanOrEqual(2)
    for (const faulty of [before, lost]) {
      expect(normalised(faulty.state)).toEqual(normalised(control.state))
      expect(faulty.logged).toEqual(control.logged)
      expect(await deadLetterCount(faulty.tenant.id)).toBe(0)
    }
    // Each order: one order, its line(s), one created row, its hub deliveries (imported and its events).
    expect(
      Object.values(control.state).every(
        (counts) => counts.orders === 1 && counts.lines >= 1 && counts.created === 1 && counts.deliveries >= 1
      )
    ).toBe(true)
    report(task, {
      area: 'faults',
      what: `plentymarkets page of ${PAGE}: the after-import call for order ${FAILING} fails once (500 before the write; 503 after it, answer lost)`,
      count: 2,
      unit: 'page redeliveries',
      held: 'hub identical to a run without the fault: orders, lines, events, log rows, hub deliveries; no dead letter',
    })
  })

  it('no secret, e-mail or phone in anything logged meanwhile', async ({ task }) => {
    await expectNothingSecretLogged(task, 'redelivery runs')
  })
})
