/**
 * What most tests need: calls to the real Worker (`exports.default.fetch`), a tenant with a
 * token, a connection, waiting for queues to settle, and running the cron once.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import worker from '../src/index'
import { accountPacer } from '../src/pacing/pacer'

export const ADMIN_TOKEN = 'test-admin-token'
export const KONTOR = 'https://kontor.test'

type CallOptions = {
  method?: string
  body?: unknown
  token?: string
  headers?: Record<string, string>
  rawBody?: BodyInit
}

export async function api(path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: BodyInit | undefined = options.rawBody
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  return (exports as unknown as { default: Fetcher }).default.fetch(
    new Request(`${KONTOR}${path}`, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body })
  )
}

export async function apiJson<T = any>(path: string, options: CallOptions = {}): Promise<T> {
  const response = await api(path, options)
  const text = await response.text()
  if (!response.ok) throw new Error(`${options.method ?? 'GET'} ${path} → ${response.status}: ${text}`)
  return (text ? JSON.parse(text) : null) as T
}

export function uniqueName(prefix = 't'): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`
}

export async function createTenant(
  currency = 'EUR',
  name = uniqueName('tenant')
): Promise<{ id: string; token: string; currency: string }> {
  return apiJson('/api/v1/tenants', { body: { name, currency }, token: ADMIN_TOKEN })
}

export async function createConnection(
  token: string,
  body: { platform: string; name?: string; credentials: unknown; settings?: unknown; routes?: string[] }
) {
  return apiJson<{ id: string; webhookUrl: string; platform: string; backfillJobId?: string; webhookSecret?: string }>(
    '/api/v1/connections',
    {
      body: { name: uniqueName('connection'), ...body },
      token,
    }
  )
}

/** Polls `check` until it returns something truthy; queues run in the background meanwhile. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {}
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}

/** Runs the Worker's scheduled handler once, as the every-minute cron would. */
export async function runCron(at = new Date()) {
  const controller = createScheduledController({ scheduledTime: at, cron: '* * * * *' })
  const context = createExecutionContext()
  await worker.scheduled(controller, env, context)
  await waitOnExecutionContext(context)
}

export async function syncJob(jobId: string) {
  const { results } = await env.DB.prepare('select * from sync_jobs where id = ?')
    .bind(jobId)
    .all<{ status: string; pages: number; records: number; error: string | null }>()
  return results[0]
}

export async function waitForJob(jobId: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const job = await syncJob(jobId)
      return job && job.status !== 'running' ? job : null
    },
    { timeoutMs, what: `job ${jobId}` }
  )
}

/** Lists every page of an API collection. */
export async function listAll<T = any>(path: string, token: string): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const separator = path.includes('?') ? '&' : '?'
    const page: { items: T[]; nextCursor: string | null } = await apiJson(
      `${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}&limit=200` : `${separator}limit=200`}`,
      { token }
    )
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return items
}

/** What a query reads from the test Worker's D1 (for what no API shows). */
export async function rows<T = any>(query: string, ...values: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(query)
      .bind(...values)
      .all<T>()
  ).results
}

/** Calls a simulator's control route (`/_sim/…`) on its host, over the routed outbound fetch. */
export async function simulatorCall(host: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`https://${host}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`simulator ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

/** The pacer port of a hand-built connector context: the platform's AccountPacer on the test Worker's binding. */
export function pacerPort(platform: string) {
  return (account: string[], options: { secret: boolean }) => accountPacer(env.PACER, platform, account, options)
}
