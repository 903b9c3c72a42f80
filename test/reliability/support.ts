/**
 * What the reliability tests share: the figures they report (vitest task meta → the JSON reporter
 * → scripts/reliability-report.mjs → RELIABILITY.md), a capture of everything the Worker logs
 * (console, which the Worker, its queue consumers and these tests share in workerd), the secrets
 * each test used, and the hub counts that say whether an order arrived exactly once.
 */
import { env } from 'cloudflare:workers'
import { expect, type TaskMeta, vi } from 'vitest'

export const ADMIN_TOKEN = 'test-admin-token'
/** vitest.config.ts's ENCRYPTION_KEY binding. */
export const ENCRYPTION_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='

/** One row of RELIABILITY.md: what was tried, how often, and what held. */
export type Figure = {
  area: 'load' | 'faults' | 'bad inputs' | 'attacks' | 'logs'
  what: string
  count: number
  unit: string
  held: string
}

declare module 'vitest' {
  interface TaskMeta {
    /** Read by scripts/reliability-report.mjs from vitest's JSON report. */
    reliability?: Figure[]
    /** Details a test keeps for the JSON report (statuses per route, requests checked). */
    details?: string[]
  }
}

type Meta = { meta: TaskMeta }

/** Attaches a figure to the running test; the JSON reporter carries it out of workerd. */
export function report(task: Meta, figure: Figure) {
  task.meta.reliability = [...(task.meta.reliability ?? []), figure]
}

// ---- logs ----

const logged: string[] = []
let capturing = false

/** Every console line from now on (Worker, consumers and tests share the isolate's console). */
export function captureLogs() {
  if (capturing) return
  capturing = true
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(
        args
          .map((arg) => {
            if (typeof arg === 'string') return arg
            if (arg instanceof Error) return `${arg.name}: ${arg.message}\n${arg.stack ?? ''}`
            try {
              return JSON.stringify(arg)
            } catch {
              return String(arg)
            }
          })
          .join(' ')
      )
    })
  }
}

export const logLines = () => [...logged]

const secrets = new Set<string>([ADMIN_TOKEN, ENCRYPTION_KEY])

/** Secrets a test used (tokens, passwords, API keys, webhook secrets): none may be logged. */
export function secret<T extends string | undefined | null>(value: T): T {
  if (value && value.length >= 6) secrets.add(value)
  return value
}

const digits = (value: string) => value.replace(/\D/g, '')

/**
 * The needles: every secret registered, and every e-mail and phone of every customer in the hub
 * (as stored, and a phone's digits alone, since a log could carry either form).
 */
export async function needles(): Promise<string[]> {
  const { results } = await env.DB.prepare('select email, phone from customers').all<{
    email: string | null
    phone: string | null
  }>()
  const found = new Set<string>(secrets)
  for (const row of results) {
    if (row.email) found.add(row.email.toLowerCase())
    if (row.phone && digits(row.phone).length >= 7) {
      found.add(row.phone)
      found.add(digits(row.phone))
    }
  }
  return [...found]
}

/** Checks every line logged so far; returns the figures for the report. */
export async function expectNothingSecretLogged(
  task: Meta,
  scope: string,
  /** A run whose requests are all refused before any work (API fuzzing) may log nothing at all. */
  options: { mayBeSilent?: boolean } = {}
) {
  const lines = logLines()
  // Zero lines would find no leak and prove nothing: the capture must have seen the Worker log.
  expect(capturing, 'captureLogs() was not called').toBe(true)
  if (!options.mayBeSilent) expect(lines.length, 'no log line was captured').toBeGreaterThan(0)
  const all = await needles()
  const haystack = lines.map((line) => ({ line, lower: line.toLowerCase(), digits: digits(line) }))
  const leaks: string[] = []
  for (const needle of all) {
    const lower = needle.toLowerCase()
    const isDigits = /^\d+$/.test(needle)
    for (const entry of haystack) {
      if (entry.lower.includes(lower) || (isDigits && entry.digits.includes(needle))) {
        leaks.push(`${needle.slice(0, 4)}… in: ${entry.line.slice(0, 300)}`)
        break
      }
    }
  }
  expect(leaks).toEqual([])
  report(task, {
    area: 'logs',
    what: `${scope}: every line the Worker logged, searched for secrets, e-mails and phones`,
    count: lines.length,
    unit: `lines (${all.length} needles)`,
    held: 'none found',
  })
}

// ---- hub state ----

export async function rows<T = Record<string, unknown>>(query: string, ...values: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(query)
      .bind(...values)
      .all<T>()
  ).results
}

export type HubCounts = Record<
  string,
  {
    orders: number
    lines: number
    created: number
    events: number
    deliveries: number
    handovers: number
    /** How often the order row was written after its insert (0: written once). */
    revision: number
    /** Hand-overs a new order of the connection gets: one per route. */
    routes: number
  }
>

/** Per external id of a connection: orders, lines, `created` log rows, events, hub deliveries, hand-overs, writes. */
export async function hubCounts(connectionId: string): Promise<HubCounts> {
  const result = await rows<{
    external_id: string
    orders: number
    lines: number
    created: number
    events: number
    deliveries: number
    handovers: number
    revision: number
    routes: number
  }>(
    `select o.external_id,
            count(*) as orders,
            json_array_length(o.lines) as lines,
            (select count(*) from import_log g where g.connection_id = o.connection_id and g.external_id = o.external_id
               and g.kind = 'order' and g.result = 'created') as created,
            (select count(*) from order_events e where e.order_id = o.id) as events,
            (select count(*) from webhook_deliveries d where d.order_id = o.id) as deliveries,
            (select count(*) from handovers h where h.order_id = o.id) as handovers,
            o.revision,
            (select json_array_length(c.routes) from connections c where c.id = o.connection_id) as routes
       from orders o where o.connection_id = ? group by o.external_id, o.id order by o.external_id`,
    connectionId
  )
  const counts: HubCounts = {}
  for (const row of result) {
    const previous = counts[row.external_id]
    counts[row.external_id] = previous
      ? { ...previous, orders: previous.orders + row.orders }
      : {
          orders: row.orders,
          lines: row.lines,
          created: row.created,
          events: row.events,
          deliveries: row.deliveries,
          handovers: row.handovers,
          revision: row.revision,
          routes: row.routes,
        }
  }
  return counts
}

/**
 * Asserts every expected external id is in the hub exactly once: one `created` row, the order row
 * written once (its revision never bumped by a repeated write) and one hand-over per route. One
 * order row per external id needs no assertion: the id is derived and the primary key holds it.
 */
export async function expectExactlyOnce(
  connectionId: string,
  externalIds: string[],
  linesOf?: number | Record<string, number>
) {
  const counts = await hubCounts(connectionId)
  expect(Object.keys(counts).sort()).toEqual([...externalIds].sort())
  for (const id of externalIds) {
    expect(counts[id].created, `created rows for ${id}`).toBe(1)
    expect(counts[id].revision, `writes of ${id} after its insert`).toBe(0)
    expect(counts[id].handovers, `hand-overs of ${id}`).toBe(counts[id].routes)
    const lines = typeof linesOf === 'number' ? linesOf : linesOf?.[id]
    if (lines !== undefined) expect(counts[id].lines, `lines for ${id}`).toBe(lines)
  }
  // No order is in the hub twice under another id, and no `created` row names an order the hub lacks.
  const logged = await rows<{ n: number }>(
    "select count(*) as n from import_log where connection_id = ? and kind = 'order' and result = 'created'",
    connectionId
  )
  expect(logged[0].n).toBe(externalIds.length)
  return counts
}

export async function deadLetterCount(tenantId: string) {
  return (await rows<{ n: number }>('select count(*) as n from dead_letters where tenant_id = ?', tenantId))[0].n
}
