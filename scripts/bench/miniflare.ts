/**
 * The bench's runtime: Kontor's bundle (wrangler deploy --dry-run), a bare Hono handler and the
 * bench-only importer Worker (d1-worker.ts) in one Miniflare, i.e. one workerd process.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'

export const root = path.resolve(import.meta.dirname, '../..')
export const ADMIN_TOKEN = 'bench-admin-token'
// The Worker runs with the compatibility date it is deployed with. Miniflare here is the one
// wrangler itself runs on (package.json pins it to wrangler's version), so one workerd serves
// `npm start`, `npm test` and the benchmark.
export const BENCH_COMPATIBILITY_DATE =
  /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(root, 'wrangler.toml'), 'utf8'))?.[1] ??
  '2026-11-01'

const outdir = path.join(root, 'dist/bench')

/** Kontor as deployed: wrangler's bundle of src/index.ts. */
export function bundleKontor(): string {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], { cwd: root, stdio: 'ignore' })
  return path.join(outdir, 'index.js')
}

const BARE_HONO = `
import { Hono } from 'hono'
const app = new Hono()
app.post('*', (c) => c.json({ accepted: true }, 202))
export default app
`

function esbuild(args: string[], input?: string) {
  mkdirSync(outdir, { recursive: true })
  execFileSync(
    'npx',
    ['esbuild', '--bundle', '--format=esm', '--platform=neutral', '--main-fields=module,main', ...args],
    { cwd: root, input, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'inherit'] }
  )
}

export function bundleBare(): string {
  const file = path.join(outdir, 'bare.js')
  esbuild([`--outfile=${file}`], BARE_HONO)
  return file
}

/**
 * A bench-only Worker entry around Kontor's handlers (lifecycle-worker.ts: one order's life with a
 * counting D1; tenants-worker.ts: Kontor with its D1 and queues counted), bundled by wrangler with
 * Kontor's own rules, as Kontor is.
 */
export function bundleBenchWorker(name: 'lifecycle-worker' | 'tenants-worker'): string {
  const dir = path.join(outdir, name)
  execFileSync(
    'npx',
    ['wrangler', 'deploy', path.join(root, `scripts/bench/${name}.ts`), '--dry-run', '--outdir', dir],
    { cwd: root, stdio: 'ignore' }
  )
  return path.join(dir, `${name}.js`)
}

/** The bench-only Worker that runs the real importer against a counting D1 binding. */
export function bundleImporterBench(): string {
  const file = path.join(outdir, 'd1-worker.js')
  esbuild([path.join(root, 'scripts/bench/d1-worker.ts'), '--external:cloudflare:*', `--outfile=${file}`])
  return file
}

/**
 * Kontor's bindings as wrangler.toml declares them (D1, queue producers, Durable Objects, …), so
 * the bench follows the config; vars, secrets, consumers and cron are the bench's own.
 */
function wranglerBindings(): Record<string, unknown> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, 'wrangler.toml'))
  const kinds = [
    'd1Databases',
    'queueProducers',
    'durableObjects',
    'kvNamespaces',
    'r2Buckets',
    'serviceBindings',
    'ratelimits',
    'workflows',
  ]
  return Object.fromEntries(
    Object.entries(workerOptions as Record<string, unknown>).filter(
      ([key, value]) => kinds.includes(key) && value && typeof value === 'object' && Object.keys(value).length
    )
  )
}

/** A wrangler bundle and the Swagger UI files wrangler writes beside it as text modules (wrangler.toml rules). */
function wranglerModules(script: string) {
  return {
    modulesRoot: path.dirname(script),
    modules: [
      { type: 'ESModule' as const, path: script },
      ...readdirSync(path.dirname(script))
        .filter((file) => /-swagger-ui(-bundle\.js|\.css)$/.test(file))
        .map((file) => ({ type: 'Text' as const, path: path.join(path.dirname(script), file) })),
    ],
  }
}

const QUEUES = [
  'kontor-ingest',
  'kontor-dispatch',
  'kontor-sync',
  'kontor-ingest-dlq',
  'kontor-dispatch-dlq',
  'kontor-sync-dlq',
]

export type BenchRuntime = {
  mf: Miniflare
  url: URL
  d1Dir: string
  /** Stops workerd and deletes this run's D1 files. */
  dispose: () => Promise<void>
}

export async function startMiniflare(options: {
  kontorScript: string
  bareScript?: string
  importerScript?: string
  lifecycleScript?: string
  consumeQueues: boolean
  outbound: (request: Request) => Promise<Response>
  inspectorPort?: number
  onLog?: (log: { timestamp: number; level: string; message: string }) => void
}): Promise<BenchRuntime> {
  const { kontorScript } = options
  // On disk, so workerd's memory shows the Worker's, not the database's growth.
  const d1Dir = mkdtempSync(path.join(tmpdir(), 'kontor-bench-d1-'))
  // Miniflare 5 reads Miniflare 4's option shape through its own converter.
  const mf = new Miniflare({
    ...convertV4MiniflareOptions({
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
      handleStructuredLogs: (log: { timestamp: number; level: string; message: string }) => options.onLog?.(log),
      workers: [
        {
          name: 'kontor',
          ...wranglerModules(kontorScript),
          compatibilityDate: BENCH_COMPATIBILITY_DATE,
          compatibilityFlags: ['nodejs_compat'],
          ...wranglerBindings(),
          // Intake is measured alone: without consumers, imports do not compete for the CPU.
          queueConsumers: !options.consumeQueues
            ? {}
            : Object.fromEntries(
                QUEUES.map((queue) => [
                  queue,
                  {
                    maxBatchTimeout: 0.05,
                    maxBatchSize: 10,
                    maxRetries: 5,
                    ...(queue.endsWith('dlq') ? {} : { deadLetterQueue: `${queue}-dlq` }),
                  },
                ])
              ),
          bindings: {
            ADMIN_TOKEN,
            ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
            ALLOW_INSECURE_URLS: 'false',
            RETRY_BASE_SECONDS: '1',
          },
          outboundService: options.outbound,
          routes: ['kontor.bench/*'],
        },
        ...(options.bareScript
          ? [
              {
                name: 'bare',
                modules: true,
                scriptPath: options.bareScript,
                compatibilityDate: BENCH_COMPATIBILITY_DATE,
                routes: ['bare.bench/*'],
              },
            ]
          : []),
        ...(options.lifecycleScript
          ? [
              {
                name: 'lifecycle',
                ...wranglerModules(options.lifecycleScript),
                compatibilityDate: BENCH_COMPATIBILITY_DATE,
                compatibilityFlags: ['nodejs_compat'],
                d1Databases: { DB: 'bench-lifecycle-db' },
                durableObjects: { PACER: 'AccountPacer' },
                bindings: {
                  ADMIN_TOKEN,
                  ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
                  ALLOW_INSECURE_URLS: 'false',
                  RETRY_BASE_SECONDS: '1',
                },
                outboundService: options.outbound,
                routes: ['lifecycle.bench/*'],
              },
            ]
          : []),
        ...(options.importerScript
          ? [
              {
                name: 'importer',
                modules: true,
                scriptPath: options.importerScript,
                compatibilityDate: BENCH_COMPATIBILITY_DATE,
                compatibilityFlags: ['nodejs_compat'],
                d1Databases: { DB: 'bench-importer-db' },
                // The hand-over scenario: a real Wemalo destination (the simulator) and queue producers.
                queueProducers: { SYNC: 'bench-importer-sync', DISPATCH: 'bench-importer-dispatch' },
                durableObjects: { PACER: { className: 'AccountPacer', scriptName: 'kontor' } },
                bindings: {
                  ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
                  ALLOW_INSECURE_URLS: 'false',
                },
                outboundService: options.outbound,
                routes: ['importer.bench/*'],
              },
            ]
          : []),
      ],
      port: 0,
    }),
    // D1 (and the Durable Objects) on disk in a directory of this run, so its size can be read.
    resourcePersistencePath: d1Dir,
  } as ConstructorParameters<typeof Miniflare>[0])
  const url = await mf.ready
  await migrate(mf, 'kontor')
  if (options.importerScript) await migrate(mf, 'importer')
  if (options.lifecycleScript) await migrate(mf, 'lifecycle')
  const dispose = async () => {
    await mf.dispose()
    rmSync(d1Dir, { recursive: true, force: true })
  }
  return { mf, url, d1Dir, dispose }
}

async function migrate(mf: Miniflare, worker: string) {
  const db = await mf.getD1Database('DB', worker)
  for (const file of readdirSync(path.join(root, 'migrations'))
    .filter((name) => name.endsWith('.sql'))
    .sort()) {
    for (const statement of readFileSync(path.join(root, 'migrations', file), 'utf8').split(
      '--> statement-breakpoint'
    )) {
      if (statement.trim()) await db.prepare(statement).run()
    }
  }
}

/** Detailed memory of the workerd process: RSS split into anonymous and file-backed pages. */
export function workerdMemoryDetail(): { rssMb: number; anonMb: number; fileMb: number } {
  try {
    const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'workerd'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
    let rss = 0
    let anon = 0
    let file = 0
    for (const pid of pids) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
      anon += Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0)
      file += Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0)
    }
    return { rssMb: rss / 1024, anonMb: anon / 1024, fileMb: file / 1024 }
  } catch {
    return { rssMb: NaN, anonMb: NaN, fileMb: NaN }
  }
}

/**
 * Headers that route a request to one of the workers. Node's fetch drops a `Host` header, so
 * Miniflare's router is told the URL it should see instead (what `mf.dispatchFetch` does).
 */
export function workerUrl(
  worker: 'kontor' | 'bare' | 'importer' | 'lifecycle',
  pathname: string
): Record<string, string> {
  return { 'MF-Original-URL': `http://${worker}.bench${pathname}` }
}
