/**
 * `npm run screenshots`: one picture per dashboard page in docs/screenshots/, shown in the README.
 *
 * Starts Kontor exactly as `npm start` does (scripts/start.mjs: wrangler dev, the simulators and
 * the demo tenant), on ports of its own and with a D1 of its own in a temporary folder, so a
 * running `npm start` and its data stay untouched. Waits until the demo has imported orders and
 * the cron has run (Wemalo answers its first 4 calls with 503, so failures and recoveries show),
 * signs in as the operator, and with Debian's chromium (playwright-core, as
 * test/node/ does; CHROMIUM_PATH overrides /usr/bin/chromium) takes: the sign-in page, the
 * overview, every page the navigation links to (read from the page, so a page added later is
 * taken too) for the demo tenant, and one order's page. The README's block between the
 * `screenshots` markers is written from what was taken.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium, type Page } from 'playwright-core'

const root = path.resolve(import.meta.dirname, '..')
const OUT = path.join(root, 'docs/screenshots')
const README = path.join(root, 'README.md')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Orders the demo should hold before the pictures are taken (its backfills bring about 45). */
const ENOUGH_ORDERS = 30
const READY_TIMEOUT_MS = 240_000

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Starts scripts/start.mjs; resolves with the tokens its banner prints once the demo is set up. */
function startKontor(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; token: string; adminToken: string }> {
  // A process group of its own: start.mjs runs wrangler and the simulators through npx and tsx,
  // whose children a signal to start.mjs alone would leave running.
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGTERM')
      reject(new Error(`npm start was not ready in time:\n${output}`))
    }, READY_TIMEOUT_MS)
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const token = /export TOKEN=(\S+)/.exec(output)?.[1]
      const adminToken = /export ADMIN_TOKEN=(\S+)/.exec(output)?.[1]
      if (token && adminToken) {
        clearTimeout(timer)
        resolve({ child, token, adminToken })
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)))
  })
}

async function waitForDemo(kontor: string, token: string) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  const started = Date.now()
  for (;;) {
    const response = await fetch(`${kontor}/api/v1/orders?limit=${ENOUGH_ORDERS}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const { items } = (await response.json()) as { items: unknown[] }
    // Past one cron minute the polls, hand-overs and hub deliveries have had their first round.
    if (items.length >= ENOUGH_ORDERS && Date.now() - started > 70_000) return
    if (Date.now() > deadline) throw new Error(`the demo holds ${items.length} orders after ${READY_TIMEOUT_MS} ms`)
    await sleep(2_000)
  }
}

/** "Hub endpoints" → "hub-endpoints". */
function fileName(label: string): string {
  return (
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'page'
  )
}

async function shoot(page: Page, name: string, taken: { name: string; title: string }[]) {
  await page.waitForLoadState('load')
  writeFileSync(path.join(OUT, `${name}.png`), await page.screenshot({ fullPage: true }))
  taken.push({ name, title: (await page.title()).replace(/ · Kontor$/, '') })
  console.log(`docs/screenshots/${name}.png  ${page.url()}`)
}

function writeReadmeBlock(taken: { name: string; title: string }[]) {
  const start = '<!-- screenshots:start (npm run screenshots writes this block) -->'
  const end = '<!-- screenshots:end -->'
  const readme = readFileSync(README, 'utf8')
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md has no block between "${start}" and "${end}"`)
  const block = taken.map(({ name, title }) => `**${title}**\n\n![${title}](docs/screenshots/${name}.png)\n`).join('\n')
  writeFileSync(README, `${readme.slice(0, from + start.length)}\n\n${block}\n${readme.slice(to)}`)
}

const state = mkdtempSync(path.join(tmpdir(), 'kontor-screenshots-'))
const kontorPort = await freePort()
const kontor = `http://127.0.0.1:${kontorPort}`
const simulatorsPort = await freePort()
const { child, token, adminToken } = await startKontor({
  ...process.env,
  KONTOR_PORT: String(kontorPort),
  SIMULATORS_PORT: String(simulatorsPort),
  KONTOR_STATE: state,
})
// A short warehouse outage: the first hand-overs to Wemalo fail and are retried, so the pictures
// show failures and recoveries as an operator meets them.
await fetch(`http://127.0.0.1:${simulatorsPort}/demo.wemalo.test/_sim/faults`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ status: 503, count: 4 }),
})
const stop = async () => {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-child.pid!, 'SIGTERM')
  await Promise.race([exited, sleep(10_000)])
  rmSync(state, { recursive: true, force: true })
}
try {
  console.log(`Kontor is up on ${kontor}; waiting for the demo's orders and a cron run …`)
  await waitForDemo(kontor, token)
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true })
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
    const taken: { name: string; title: string }[] = []
    await page.goto(`${kontor}/sign-in`)
    await shoot(page, 'sign-in', taken)
    await page.fill('input[name=token]', adminToken)
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')])
    // The operator's landing page, before a tenant is chosen.
    await shoot(page, 'overview', taken)
    const demoTenant = await page.locator('#tenant-select option', { hasText: 'Demo shop GmbH' }).getAttribute('value')
    await page.goto(`${kontor}/tenant/${demoTenant}?to=/`)
    const links = await page
      .locator('header nav a')
      .evaluateAll((anchors) => anchors.map((anchor) => [anchor.textContent ?? '', anchor.getAttribute('href') ?? '']))
    for (const [label, href] of links) {
      const name = fileName(label)
      if (taken.some((entry) => entry.name === name)) continue
      await page.goto(new URL(href, kontor).href)
      await shoot(page, name, taken)
    }
    await page.goto(`${kontor}/orders`)
    const order = await page.locator('main a[href^="/orders/"]').first().getAttribute('href')
    if (!order) throw new Error('the orders list links to no order')
    await page.goto(new URL(order, kontor).href)
    await shoot(page, 'order', taken)
    writeReadmeBlock(taken)
    console.log(`${taken.length} screenshots in docs/screenshots/; README.md shows them.`)
  } finally {
    await browser.close()
  }
} finally {
  await stop()
}
