/**
 * A Worker entry used only by `npm run bench`: it runs Kontor's real importer
 * (src/import/import-records.ts) on workerd + D1 through a counting proxy around the D1 binding,
 * as test/import/import-records.test.ts does, and answers with the counts for each scenario.
 * Bundled by scripts/bench/d1.ts with esbuild; never part of the deployed Worker.
 */
import { database } from '../../src/db/client'
import { importRecords, type ImportTarget } from '../../src/import/import-records'
import type { IncomingOrder } from '../../src/core/model'
import { customer, line, order } from '../../test/import/fixtures'

type Env = { DB: D1Database }
type Counts = { statements: number; roundTrips: number; batches: number }

/** The D1 binding with every prepared statement and every call to the database counted. */
function counting(d1: D1Database) {
  const counts: Counts = { statements: 0, roundTrips: 0, batches: 0 }
  const real = new WeakMap<object, D1PreparedStatement>()
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapper = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values))
        const value = Reflect.get(target, key)
        if (key === 'run' || key === 'all' || key === 'first' || key === 'raw')
          return (...args: unknown[]) => (counts.roundTrips++, (value as Function).apply(target, args))
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    real.set(wrapper, statement)
    return wrapper
  }
  const db = new Proxy(d1, {
    get(target, key) {
      if (key === 'prepare') return (query: string) => (counts.statements++, wrap(target.prepare(query)))
      if (key === 'batch')
        return (list: D1PreparedStatement[]) => {
          counts.roundTrips++
          counts.batches++
          return target.batch(list.map((statement) => real.get(statement) ?? statement))
        }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { db: db as D1Database, counts }
}

function target(origin: ImportTarget['origin'] = 'webhook'): ImportTarget {
  return {
    tenantId: `ten_${crypto.randomUUID().slice(0, 8)}`,
    tenantCurrency: 'EUR',
    connectionId: `con_${crypto.randomUUID().slice(0, 8)}`,
    platform: 'shopify',
    origin,
    takesWebhooks: true,
    policy: {},
    routes: [],
    settings: { productMatch: 'sku' },
  }
}

const asRecords = (orders: IncomingOrder[]) => orders.map((o) => ({ kind: 'order' as const, order: o }))

async function measure(env: Env, to: ImportTarget, orders: IncomingOrder[]) {
  const { db, counts } = counting(env.DB)
  const summary = await importRecords(database(db), to, asRecords(orders))
  return { ...counts, results: summary.counts }
}

async function scenarios(env: Env) {
  const out: Record<string, Awaited<ReturnType<typeof measure>>> = {}
  const lines = (n: number) => Array.from({ length: n }, () => line())

  out['1_line_new'] = await measure(env, target(), [order({ lines: lines(1) })])
  out['3_lines_new'] = await measure(env, target(), [order()])
  out['3_lines_new_no_delivery'] = await measure(env, target(), [order({ delivery: null })])
  out['20_lines_new'] = await measure(env, target(), [order({ lines: lines(20) })])

  // Known customer and products: a second order of the same customer with the same three products.
  const known = target()
  const first = order()
  await importRecords(database(env.DB), known, asRecords([first]))
  const second = order({
    customer: { ...first.customer! },
    lines: first.lines.map((l) => ({ ...l, externalId: crypto.randomUUID().slice(0, 6) })),
  })
  out['3_lines_known'] = await measure(env, known, [second])
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
  return out
}

/** Memory probe (scripts/bench/memory-probe.ts): one backfill page of 250 new orders, no queue, no fetch. */
let probeTarget: ImportTarget | undefined
async function probePage(env: Env) {
  probeTarget ??= target('backfill')
  const page = Array.from({ length: 250 }, (_, index) => order({ number: `#${index}` }))
  return (await importRecords(database(env.DB), probeTarget, asRecords(page))).counts
}

export default {
  async fetch(request: Request, env: Env) {
    try {
      if (new URL(request.url).pathname === '/probe-page') return Response.json(await probePage(env))
      return Response.json(await scenarios(env))
    } catch (error) {
      return new Response(error instanceof Error ? `${error.message}\n${error.stack}` : String(error), { status: 500 })
    }
  },
}
