// `npm start`: Kontor in `wrangler dev` (local D1, Queues, cron) beside the platform simulators,
// with a demo tenant and a Shopify connection whose shop keeps taking orders.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const KONTOR = 'http://127.0.0.1:8787'
const SIMULATORS = 'http://127.0.0.1:8788'
const SHOP = 'demo.myshopify.com'
const children = []

function run(command, args, options = {}) {
  const child = spawn(command, args, { stdio: 'inherit', ...options })
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
  for (const child of children) child.kill('SIGTERM')
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
  const migrate = spawn('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local'], { stdio: 'inherit' })
  migrate.on('exit', (code) => (code ? reject(new Error('migrations failed')) : resolve()))
})

run('npx', ['tsx', 'scripts/simulators-server.ts'])
run('npx', [
  'wrangler',
  'dev',
  '--port',
  '8787',
  '--ip',
  '127.0.0.1',
  '--test-scheduled',
  '--show-interactive-dev-session=false',
])

async function waitUntilUp(url) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {}
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

async function simulator(path, body) {
  const response = await fetch(`${SIMULATORS}/${SHOP}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!response.ok) throw new Error(`simulator ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

await waitUntilUp(`${KONTOR}/healthz`)
await waitUntilUp(`${SIMULATORS}/${SHOP}/_sim/requests`).catch(() => {})

const accessToken = 'shpat_demo'
const webhookSecret = 'demo-webhook-secret'
await simulator('/_sim/shop', { accessToken, webhookSecret })
await simulator('/_sim/orders', { generate: 25 })
const tenant = await call('/api/v1/tenants', {
  token: vars.ADMIN_TOKEN,
  body: { name: 'Demo shop GmbH', currency: 'USD' },
})
const connection = await call('/api/v1/connections', {
  token: tenant.token,
  body: {
    platform: 'shopify',
    name: 'Demo Shopify shop',
    credentials: { shopDomain: SHOP, accessToken, webhookSecret },
    settings: { baseUrl: `${SIMULATORS}/${SHOP}`, fulfilmentSync: true },
  },
})

console.log(`
Kontor is running on ${KONTOR} with a simulated Shopify shop (${SHOP}).
  The backfill imports 25 orders now; a new order arrives by signed webhook every 10 seconds.
  Orders:      curl -s -H "Authorization: Bearer ${tenant.token}" ${KONTOR}/api/v1/orders
  Import log:  curl -s -H "Authorization: Bearer ${tenant.token}" ${KONTOR}/api/v1/import-log
  API docs:    ${KONTOR}/docs
  Run the cron once: curl "${KONTOR}/__scheduled?cron=*+*+*+*+*"
Press Ctrl+C to stop.
`)

let next = 9_000_000
for (;;) {
  await sleep(10_000)
  const now = new Date().toISOString()
  const id = next++
  await simulator('/_sim/orders', { orders: [{ id, created_at: now, updated_at: now }] }).catch((error) =>
    console.error(String(error))
  )
  await simulator('/_sim/webhooks/send', {
    url: connection.webhookUrl.replace(/^https?:\/\/[^/]+/, KONTOR),
    topic: 'orders/create',
    orderId: id,
  })
    .then((result) => console.log(`webhook orders/create #${id} → ${result.status}`))
    .catch((error) => console.error(String(error)))
}
