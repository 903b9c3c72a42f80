/**
 * A Worker entry used only by `npm run bench`: it runs Kontor's real importer
 * (src/import/import-records.ts) on workerd + D1 through a counting proxy around the D1 binding,
 * as test/import/import-records.test.ts does, and answers with the counts for each scenario.
 * The `handover` scenario runs one real hand-over (src/handover/hand-over.ts) to the Wemalo
 * simulator: claim, send, state and event (issue 16).
 * Bundled by scripts/bench/d1.ts with esbuild; never part of the deployed Worker.
 */
import { database } from '../../src/db/client'
import { importRecords, type ImportTarget } from '../../src/import/import-records'
import type { IncomingOrder } from '../../src/core/model'
import { encryptJson, keyringOf } from '../../src/core/crypto'
import { connections, tenants } from '../../src/db/schema'
import type { Bindings } from '../../src/env'
import { runHandover } from '../../src/handover/hand-over'
import type { DispatchMessage, SyncMessage } from '../../src/queue/messages'
import { countingD1 } from '../../test/import/counting-d1'
import { customer, importTarget, line, order } from '../../test/import/fixtures'

type Env = {
  DB: D1Database
  SYNC: Queue<SyncMessage>
  DISPATCH: Queue<DispatchMessage>
  ENCRYPTION_KEY: string
  ALLOW_INSECURE_URLS: string
}
const target = (origin: ImportTarget['origin'] = 'webhook') => importTarget({ origin })

const asRecords = (orders: IncomingOrder[]) => orders.map((o) => ({ kind: 'order' as const, order: o }))

async function measure(env: Env, to: ImportTarget, orders: IncomingOrder[]) {
  const { db, counts } = countingD1(env.DB)
  const summary = await importRecords(database(db), to, asRecords(orders))
  return { ...counts, results: summary.counts }
}

async function scenarios(env: Env) {
  const out: Record<
    string,
    { statements: number; roundTrips: number; batches: number; results: Record<string, number> }
  > = {}
  const lines = (n: number) => Array.from({ length: n }, () => line())

  // New customer and new products; the DL1 delivery comment is one event row more, counted apart.
  for (const count of [1, 3, 20])
    out[`${count}_line${count > 1 ? 's' : ''}_new`] = await measure(env, target(), [
      order({ lines: lines(count), delivery: null }),
    ])
  out['3_lines_new_delivery_comment'] = await measure(env, target(), [order()])

  // Known customer and products: a second order of the same customer with the same products.
  const known = target()
  const firsts = new Map<number, IncomingOrder>()
  for (const count of [1, 3, 20]) {
    const first = order({ lines: lines(count), delivery: null })
    firsts.set(count, first)
    await importRecords(database(env.DB), known, asRecords([first]))
    out[`${count}_line${count > 1 ? 's' : ''}_known`] = await measure(env, known, [
      order({
        delivery: null,
        customer: { ...first.customer! },
        lines: first.lines.map((l) => ({ ...l, externalId: crypto.randomUUID().slice(0, 6) })),
      }),
    ])
  }
  const first = firsts.get(3)!
  // The same order delivered again, nothing changed.
  out['unchanged'] = await measure(env, known, [first])
  // The same order with a new updated_at and changed content (one quantity): an update.
  out['3_lines_updated'] = await measure(env, known, [
    {
      ...first,
      updatedAt: '2026-11-02T00:00:00.000Z',
      lines: [{ ...first.lines[0], quantity: 5, total: '49.75' }, ...first.lines.slice(1)],
    },
  ])

  // A poll page of 250 orders the hub already holds unchanged.
  const poll = target('poll')
  const page = Array.from({ length: 250 }, (_, index) => order({ number: `#${index}`, customer: customer() }))
  await importRecords(database(env.DB), poll, asRecords(page))
  out['poll_page_250_unchanged'] = await measure(env, poll, page)
  // The same page, every order new (a backfill page), for the per-order cost at page scale.
  const fresh = target('backfill')
  out['backfill_page_250_new'] = await measure(
    env,
    fresh,
    Array.from({ length: 250 }, (_, index) => order({ number: `#${index}` }))
  )
  out['handover'] = await measureHandover(env)
  return out
}

/**
 * One hand-over of a 3-line order to Wemalo (the simulator, through the bench's outbound
 * service), counted from the claim to the queued follow-ups of its handed_over event.
 */
async function measureHandover(env: Env) {
  const db = database(env.DB)
  const host = `bench-${crypto.randomUUID().slice(0, 8)}.wemalo.test`
  const account = await fetch(`https://${host}/_sim/account`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: 'bench-token' }),
  })
  if (!account.ok) throw new Error(`Wemalo simulator: ${account.status}`)
  const to = target()
  const destinationId = `con_${crypto.randomUUID().slice(0, 8)}`
  const now = new Date().toISOString()
  await db.insert(tenants).values({ id: to.tenantId, name: 'bench', currency: 'EUR' })
  await db.insert(connections).values({
    id: destinationId,
    tenantId: to.tenantId,
    platform: 'wemalo',
    name: 'bench warehouse',
    credentials: await encryptJson(keyringOf(env), { token: 'bench-token', webhookSecret: 'bench-hook-secret' }),
    settings: { baseUrl: `https://${host}/v1`, registerWebhooks: false },
    routes: [],
    updatedAt: now,
  })
  const address = {
    firstName: 'Erika',
    lastName: 'Mustermann',
    street: 'Heidestraße',
    houseNumber: '17',
    postcode: '51147',
    city: 'Köln',
    countryCode: 'DE',
  }
  const imported = await importRecords(
    db,
    { ...to, routes: [destinationId] },
    asRecords([order({ shippingAddress: address, billingAddress: address })])
  )
  const [handoverId] = imported.followUps.handoverIds
  const { db: counted, counts } = countingD1(env.DB)
  await runHandover({ ...env, DB: counted } as unknown as Bindings, handoverId)
  const events = await env.DB.prepare(
    "select count(*) as n from order_events where order_id = ? and type = 'handed_over'"
  )
    .bind(imported.orders[0].orderId)
    .first<{ n: number }>()
  const row = await env.DB.prepare('select state, last_error from handovers where id = ?')
    .bind(handoverId)
    .first<{ state: string; last_error: string | null }>()
  // Counts of a hand-over that did not happen would measure something else.
  if (row?.state !== 'confirmed') throw new Error(`bench hand-over ended ${row?.state}: ${row?.last_error}`)
  return { ...counts, results: { confirmed: 1, handed_over_events: events?.n ?? 0 } }
}

/** Memory probe (scripts/bench/memory-probe.ts): one backfill page of 250 new orders, no queue, no fetch. */
let probeTarget: ImportTarget | undefined
async function probePage(env: Env) {
  probeTarget ??= target('backfill')
  const page = Array.from({ length: 250 }, (_, index) => order({ number: `#${index}` }))
  return (await importRecords(database(env.DB), probeTarget, asRecords(page))).counts
}

/**
 * Memory probe, no Kontor code: `rows` rows of ~3 KB written by D1 alone, `perCall` rows per batch,
 * to tell memory that follows the volume written from memory that follows the number of D1 calls.
 */
async function probeRows(env: Env, rows: number, perCall: number) {
  await env.DB.prepare('create table if not exists probe (id integer primary key, body text)').run()
  const body = 'x'.repeat(3000)
  for (let written = 0; written < rows; written += perCall)
    await env.DB.batch(
      Array.from({ length: Math.min(perCall, rows - written) }, () =>
        env.DB.prepare('insert into probe (body) values (?)').bind(body)
      )
    )
  return { rows, perCall }
}

export default {
  async fetch(request: Request, env: Env) {
    try {
      const url = new URL(request.url)
      if (url.pathname === '/probe-page') return Response.json(await probePage(env))
      if (url.pathname === '/probe-rows')
        return Response.json(
          await probeRows(env, Number(url.searchParams.get('rows')), Number(url.searchParams.get('perCall')))
        )
      return Response.json(await scenarios(env))
    } catch (error) {
      return new Response(error instanceof Error ? `${error.message}\n${error.stack}` : String(error), { status: 500 })
    }
  },
}
