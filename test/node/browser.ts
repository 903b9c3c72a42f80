/**
 * The real Worker and a real browser for the dashboard tests in test/node/: wrangler's test
 * harness (wrangler.toml, local D1 and Queues, migrations applied) and Debian's chromium driven by
 * playwright-core (`CHROMIUM_PATH` overrides `/usr/bin/chromium`). One of each per test file:
 *
 *   let kontor: KontorInBrowser
 *   beforeAll(async () => { kontor = await startKontorInBrowser({ adminToken: 'my-admin-token' }) })
 *   afterAll(() => kontor?.close())
 *
 * Tenants and tokens are made through the API (`api`); what no platform needs to bring for the
 * page at hand (connections, orders, stock) is written straight into D1 (`run`, `seedConnection`).
 */
import path from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { createTestHarness, type TestHarness } from 'wrangler'

const root = path.resolve(import.meta.dirname, '../..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** The Worker's encryption key, for a test that writes encrypted credentials itself. */
export const ENCRYPTION_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='
/** When seeded connections were created and last changed. */
export const SEEDED_AT = '2026-11-20T09:00:00.000Z'

export type KontorInBrowser = {
  /** Where the Worker listens. */
  base: URL
  /** The Worker's own D1 database. */
  db: D1Database
  browser: Browser
  /** Calls the API as a client would: GET, or POST with a JSON body; throws on an answer that is not 2xx. */
  api<T>(pathname: string, token: string, body?: unknown): Promise<T>
  /** Runs one SQL statement on the Worker's database. */
  run(sql: string, ...values: unknown[]): Promise<void>
  /** A connection row with placeholder credentials, created at SEEDED_AT (no platform is contacted). */
  seedConnection(tenantId: string, id: string, platform: string, name: string): Promise<void>
  /** Signs `page` in with `token` on the sign-in page and waits for the dashboard's start page. */
  signIn(page: Page, token: string): Promise<void>
  /** A page in a browser context of its own (closed by `close`), signed in when given a token. */
  newPage(token?: string, viewport?: { width: number; height: number }): Promise<Page>
  /** What every page from `newPage` asked of other origins: the dashboard loads nothing from elsewhere. */
  foreignRequests: string[]
  /** Script errors in those pages (a refused resource, a 401 or 404 a test asks for, aside). */
  consoleErrors: string[]
  close(): Promise<void>
}

/** Runs `action` (a click that submits or follows a link) and waits until the next page has loaded. */
export async function loads(page: Page, action: () => Promise<unknown>) {
  await Promise.all([page.waitForEvent('load'), action()])
}

export async function startKontorInBrowser(options: {
  adminToken: string
  /** Worker variables beside ALLOW_INSECURE_URLS=false (e.g. RETRY_BASE_SECONDS). */
  vars?: Record<string, string>
}): Promise<KontorInBrowser> {
  // No fetch of workers.cloudflare.com/cf.json: the placeholder `request.cf` is enough here.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'
  const server: TestHarness = createTestHarness({
    root,
    workers: [
      {
        configPath: './wrangler.toml',
        secrets: { ADMIN_TOKEN: options.adminToken, ENCRYPTION_KEY },
        vars: { ALLOW_INSECURE_URLS: 'false', ...options.vars },
      },
    ],
  })
  const { url: base } = await server.listen()
  const worker = server.getWorker()
  await worker.applyD1Migrations('DB')
  const db = ((await worker.getEnv()) as { DB: D1Database }).DB
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true })

  async function api<T>(pathname: string, token: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(pathname, base), {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${pathname}: ${response.status} ${text}`)
    return JSON.parse(text) as T
  }

  async function run(sql: string, ...values: unknown[]) {
    await db
      .prepare(sql)
      .bind(...values)
      .run()
  }

  async function signIn(page: Page, token: string) {
    await page.goto(new URL('/sign-in', base).href)
    await page.fill('input[name=token]', token)
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')])
  }

  const contexts: BrowserContext[] = []
  const foreignRequests: string[] = []
  const consoleErrors: string[] = []

  return {
    base,
    db,
    browser,
    api,
    run,
    signIn,
    foreignRequests,
    consoleErrors,
    async newPage(token, viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport })
      contexts.push(context)
      const page = await context.newPage()
      page.on('request', (request) => {
        if (new URL(request.url()).origin !== base.origin) foreignRequests.push(request.url())
      })
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          consoleErrors.push(message.text())
      })
      if (token) await signIn(page, token)
      return page
    },
    async seedConnection(tenantId, id, platform, name) {
      await run(
        `insert into connections (id, tenant_id, platform, name, credentials, settings, routes, created_at, updated_at)
         values (?, ?, ?, ?, 'not-a-real-secret', '{}', '[]', ?, ?)`,
        id,
        tenantId,
        platform,
        name,
        SEEDED_AT,
        SEEDED_AT
      )
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {})
      await browser.close()
      await server.close()
    },
  }
}
