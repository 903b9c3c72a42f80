// `npm start`: Kontor in `wrangler dev` (local D1, Queues) beside the platform simulators, with a
// demo tenant that has one connection per source platform, each against its simulator. The
// cron runs every minute (wrangler dev never fires crons by itself: this script calls
// /__scheduled), Shopify sends a signed webhook for a new order every 10 seconds, and the other
// simulated shops get a new order every minute, which the cron's polls import.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

// KONTOR_PORT, SIMULATORS_PORT and KONTOR_STATE (the local D1 and the demo token's file; default
// .wrangler/state) let a second instance run beside this one: `npm run screenshots` starts one.
const KONTOR_PORT = process.env.KONTOR_PORT ?? '8787'
const KONTOR = `http://127.0.0.1:${KONTOR_PORT}`
const STATE = process.env.KONTOR_STATE
const persist = STATE ? ['--persist-to', STATE] : []
// Local runs phone nothing home: no wrangler metrics, and no fetch of workers.cloudflare.com's
// cf.json (offline it printed ENOTFOUND stack traces at every start). Every child inherits these.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'
const SIMULATORS = `http://127.0.0.1:${process.env.SIMULATORS_PORT ?? '8788'}`
const CRON_EVERY_MS = 60_000
const children = []

// Each child leads a process group of its own, and stopping ends the whole group: `npx tsx` runs
// the simulators two processes deep, and a SIGTERM to npx alone left them holding port 8788.
function run(command, args, options = {}) {
  const child = spawn(command, args, { stdio: 'inherit', detached: true, ...options })
  children.push(child)
  child.on('exit', (code) => {
    if (code && !stopping) {
      console.error(`${command} ${args.join(' ')} exited with ${code}`)
      stop(1)
    }
  })
  return child
}

let stopping = false
function stop(code = 0) {
  stopping = true
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // The group has already ended.
    }
  }
  process.exit(code)
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

if (!existsSync('.dev.vars')) copyFileSync('.dev.vars.example', '.dev.vars')
const vars = Object.fromEntries(
  readFileSync('.dev.vars', 'utf8')
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()])
)

await new Promise((resolve, reject) => {
  const migrate = spawn('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', ...persist], {
    stdio: 'inherit',
  })
  migrate.on('exit', (code) => (code ? reject(new Error('migrations failed')) : resolve()))
})

run('npx', ['tsx', 'scripts/simulators-server.ts'])
run('npx', [
  'wrangler',
  'dev',
  '--port',
  KONTOR_PORT,
  ...persist,
  '--ip',
  '127.0.0.1',
  '--test-scheduled',
  '--show-interactive-dev-session=false',
])

async function waitUntilUp(url) {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await sleep(500)
  }
  throw new Error(`${url} did not come up`)
}

async function call(path, { token, body, method } = {}) {
  const response = await fetch(`${KONTOR}${path}`, {
    method: method ?? (body ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

/** A simulator's control route: `host` is the platform host it answers for. */
async function simulator(host, path, body) {
  const response = await fetch(`${SIMULATORS}/${host}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!response.ok) throw new Error(`simulator ${host}${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

await waitUntilUp(`${SIMULATORS}/`)
await waitUntilUp(`${KONTOR}/healthz`)

// One simulated account per source platform. `next` numbers the orders added later.
const BILLBEE_KEY = 'demo-billbee-key'
const billbeeQuery = `?account=${BILLBEE_KEY}`
const demo = [
  {
    platform: 'shopify',
    host: 'demo.myshopify.com',
    name: 'Demo Shopify shop',
    setUp: async (host) => {
      await simulator(host, '/_sim/shop', { accessToken: 'shpat_demo', webhookSecret: 'demo-shopify-secret' })
      // The demo tenant keeps its books in EUR: orders in another currency are rejected (G4).
      await simulator(host, '/_sim/orders', {
        orders: Array.from({ length: 25 }, (_, index) => {
          const at = new Date(Date.now() - (25 - index) * 86_400_000).toISOString()
          return {
            currency: 'EUR',
            created_at: at,
            updated_at: at,
            financial_status: index % 7 === 3 ? 'pending' : 'paid',
          }
        }),
      })
    },
    credentials: (host) => ({ shopDomain: host, accessToken: 'shpat_demo', webhookSecret: 'demo-shopify-secret' }),
    settings: { fulfilmentSync: true },
  },
  {
    platform: 'woocommerce',
    host: 'demo.woo.example',
    name: 'Demo WooCommerce site',
    setUp: async (host) => {
      await simulator(host, '/_sim/site', {
        consumerKey: 'ck_demo',
        consumerSecret: 'cs_demo',
        webhookSecret: 'demo-woo-secret',
      })
      await simulator(host, '/_sim/orders', { generate: 10 })
    },
    credentials: (host) => ({
      siteUrl: `https://${host}`,
      consumerKey: 'ck_demo',
      consumerSecret: 'cs_demo',
      webhookSecret: 'demo-woo-secret',
    }),
    settings: { pollMinutes: 1 },
    newOrder: (host, id) => simulator(host, '/_sim/orders', { orders: [{ id }] }),
  },
  {
    platform: 'cartum',
    host: 'demo.cartum.example',
    name: 'Demo Cartum shop',
    setUp: async (host) => {
      await simulator(host, '/_sim/shop', { login: 'api', password: 'demo-password' })
      await simulator(host, '/_sim/orders', {
        orders: [1001, 1002, 1003, 1004, 1005].map((order_id) => ({ order_id, currency: 'EUR' })),
      })
    },
    credentials: (host) => ({ domain: host, login: 'api', password: 'demo-password' }),
    settings: { pollMinutes: 1 },
    newOrder: (host, id) => simulator(host, '/_sim/orders', { orders: [{ order_id: id, currency: 'EUR' }] }),
  },
  {
    platform: 'plentymarkets',
    host: 'demo.plentymarkets-cloud01.com',
    name: 'Demo plentymarkets system',
    setUp: async (host) => {
      await simulator(host, '/_sim/system', { username: 'kontor', password: 'demo-password' })
      await simulator(host, '/_sim/orders', { orders: [631, 632, 633, 634, 635].map((id) => ({ id })) })
    },
    credentials: (host) => ({
      url: `https://${host}`,
      username: 'kontor',
      password: 'demo-password',
      plentyId: 1000,
      warehouseId: 1,
      storageLocationId: 0,
    }),
    settings: { pollMinutes: 1 },
    newOrder: (host, id) => simulator(host, '/_sim/orders', { orders: [{ id }] }),
  },
  {
    platform: 'billbee',
    host: 'app.billbee.io',
    name: 'Demo Billbee account',
    setUp: async (host) => {
      await simulator(host, `/_sim/account${billbeeQuery}`, {
        apiKey: BILLBEE_KEY,
        username: 'shop@example.com',
        apiPassword: 'demo-password',
      })
      await simulator(host, `/_sim/products${billbeeQuery}`, { products: [{}] })
      await simulator(host, `/_sim/orders${billbeeQuery}`, {
        orders: [20_000_000_001, 20_000_000_002, 20_000_000_003].map((BillBeeOrderId) => ({ BillBeeOrderId })),
      })
    },
    credentials: () => ({ username: 'shop@example.com', apiPassword: 'demo-password', apiKey: BILLBEE_KEY }),
    settings: { ordersTag: 'kontor', pollMinutes: 1 },
    newOrder: (host, id) =>
      simulator(host, `/_sim/orders${billbeeQuery}`, { orders: [{ BillBeeOrderId: 20_000_000_000 + id }] }),
  },
]

// The demo tenant and its connections are kept in the local D1 (.wrangler/state) and reused on
// the next start, so $TOKEN stays the same. Delete .wrangler/state for a fresh start.
const DEMO_FILE = STATE ? `${STATE}/kontor-demo.json` : '.wrangler/kontor-demo.json'
let token = existsSync(DEMO_FILE) ? JSON.parse(readFileSync(DEMO_FILE, 'utf8')).token : null
let existing = []
try {
  if (token) existing = (await call('/api/v1/connections', { token })).items
} catch {
  token = null
}
if (!token) {
  token = (
    await call('/api/v1/tenants', { token: vars.ADMIN_TOKEN, body: { name: 'Demo shop GmbH', currency: 'EUR' } })
  ).token
  mkdirSync(STATE ?? '.wrangler', { recursive: true })
  writeFileSync(DEMO_FILE, JSON.stringify({ token }))
}
// The destination: a Wemalo warehouse that the polled platforms' orders are handed over to.
const WEMALO_HOST = 'demo.wemalo.test'
const ROUTED_TO_WEMALO = ['plentymarkets', 'billbee']
let wemalo = existing.find((candidate) => candidate.platform === 'wemalo')
try {
  await simulator(WEMALO_HOST, '/_sim/account', { token: 'demo-wemalo-token' })
  wemalo ??= await call('/api/v1/connections', {
    token,
    body: {
      platform: 'wemalo',
      name: 'Demo Wemalo warehouse',
      credentials: { token: 'demo-wemalo-token' },
      settings: { baseUrl: `${SIMULATORS}/${WEMALO_HOST}/v1`, webhookEmail: 'ops@demo.example', stockMinutes: 1 },
    },
  })
} catch (error) {
  console.error(`demo wemalo connection not created: ${String(error)}`)
  wemalo = undefined
}

const connected = []
for (const entry of demo) {
  try {
    await entry.setUp(entry.host)
    const routes = wemalo && ROUTED_TO_WEMALO.includes(entry.platform) ? [wemalo.id] : []
    let connection = existing.find(
      (candidate) => candidate.platform === entry.platform && candidate.name === entry.name
    )
    if (connection && routes.some((id) => !connection.routes.includes(id)))
      connection = await call(`/api/v1/connections/${connection.id}`, { token, method: 'PATCH', body: { routes } })
    connection ??= await call('/api/v1/connections', {
      token,
      body: {
        platform: entry.platform,
        name: entry.name,
        credentials: entry.credentials(entry.host),
        settings: { ...entry.settings, baseUrl: `${SIMULATORS}/${entry.host}` },
        routes,
      },
    })
    connected.push({ ...entry, connection, reused: !connection.backfillJobId })
  } catch (error) {
    console.error(`demo ${entry.platform} connection not created: ${String(error)}`)
  }
}

// Hub webhooks: the tenant's own system, simulated, receives every order event Kontor emits.
const HUB_HOST = 'demo.hooks.test'
const hubUrl = `${SIMULATORS}/${HUB_HOST}/kontor`
let hubEndpoint
try {
  hubEndpoint = (await call('/api/v1/webhook-endpoints', { token })).items.find((item) => item.url === hubUrl)
  hubEndpoint ??= await call('/api/v1/webhook-endpoints', { token, body: { url: hubUrl, events: ['*'] } })
} catch (error) {
  console.error(`demo hub webhook endpoint not created: ${String(error)}`)
}
const shopify = connected.find((entry) => entry.platform === 'shopify')

const pad = (text) => text.padEnd(14)
console.log(`
Kontor is running on ${KONTOR}; the platform simulators on ${SIMULATORS} (GET / lists them).
Demo tenant "Demo shop GmbH", with one connection per source platform, each against its simulator:
${connected
  .map(
    ({ platform, host, connection, reused }) =>
      `  ${pad(platform)} ${connection.id}  ${SIMULATORS}/${host}${reused ? '  (from the last start)' : '  (backfill running)'}`
  )
  .join('\n')}
${wemalo ? `  ${pad('wemalo')} ${wemalo.id}  ${SIMULATORS}/${WEMALO_HOST}  (destination: plentymarkets and Billbee orders are handed over to it)\n` : ''}${hubEndpoint ? `  hub webhooks   ${hubEndpoint.id}  ${hubUrl}  (what it received: curl -s ${SIMULATORS}/${HUB_HOST}/_sim/received)\n` : ''}
  export TOKEN=${token}
  export ADMIN_TOKEN=${vars.ADMIN_TOKEN}

  Orders:      curl -s -H "Authorization: Bearer $TOKEN" ${KONTOR}/api/v1/orders
  Import log:  curl -s -H "Authorization: Bearer $TOKEN" ${KONTOR}/api/v1/import-log
  Dashboard:   ${KONTOR}/  (sign in with $TOKEN or $ADMIN_TOKEN)
  API docs:    ${KONTOR}/docs
  What the Shopify simulator received: curl -s ${SIMULATORS}/demo.myshopify.com/_sim/requests

The cron runs every minute (this script calls ${KONTOR}/__scheduled). Shopify gets a new order by
signed webhook every 10 seconds; the other simulated shops get one a minute, which the polls import.
Press Ctrl+C to stop.
`)

// The cron: wrangler dev only runs it when /__scheduled is called.
async function cron() {
  const response = await fetch(`${KONTOR}/__scheduled?cron=${encodeURIComponent('* * * * *')}`).catch((error) => error)
  if (!(response instanceof Response) || !response.ok) console.error(`cron: ${String(response?.status ?? response)}`)
}
setInterval(cron, CRON_EVERY_MS)

// Order ids for the new orders: unique across restarts (the hub keeps the earlier ones).
let next = Math.floor(Date.now() / 1000)
setInterval(() => {
  const id = next++
  for (const entry of connected.filter((candidate) => candidate.newOrder)) {
    entry.newOrder(entry.host, id).catch((error) => console.error(`${entry.platform} new order: ${String(error)}`))
  }
}, CRON_EVERY_MS)

for (;;) {
  await sleep(10_000)
  if (!shopify) break
  const now = new Date().toISOString()
  const id = next++
  await simulator(shopify.host, '/_sim/orders', {
    orders: [{ id, currency: 'EUR', created_at: now, updated_at: now }],
  }).catch((error) => console.error(String(error)))
  await simulator(shopify.host, '/_sim/webhooks/send', {
    url: shopify.connection.webhookUrl.replace(/^https?:\/\/[^/]+/, KONTOR),
    topic: 'orders/create',
    orderId: id,
  })
    .then((result) => console.log(`shopify webhook orders/create #${id} → ${result.status}`))
    .catch((error) => console.error(String(error)))
}
