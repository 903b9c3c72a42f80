/**
 * `tsx scripts/bench/tenant-store-spike-run.ts [pages] [perPage]`: runs the design-B spike
 * (tenant-store-spike.ts) in its own Miniflare — one SQLite-backed Durable Object, Kontor's
 * migrations applied inside it, then backfill pages of new orders through the real importer —
 * and prints what it found. Not part of `npm run bench`; docs/scaling.md quotes a run.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { BENCH_COMPATIBILITY_DATE, root } from './miniflare'

const pages = Number(process.argv[2] ?? 4)
const perPage = Number(process.argv[3] ?? 250)
const outdir = path.join(root, 'dist/bench')
mkdirSync(outdir, { recursive: true })
const script = path.join(outdir, 'tenant-store-spike.js')
execFileSync(
  'npx',
  [
    'esbuild',
    '--bundle',
    '--format=esm',
    '--platform=neutral',
    '--main-fields=module,main',
    '--external:cloudflare:*',
    path.join(root, 'scripts/bench/tenant-store-spike.ts'),
    `--outfile=${script}`,
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }
)

const mf = new Miniflare(
  convertV4MiniflareOptions({
    workers: [
      {
        name: 'spike',
        modules: true,
        scriptPath: script,
        compatibilityDate: BENCH_COMPATIBILITY_DATE,
        compatibilityFlags: ['nodejs_compat'],
        durableObjects: { SPIKE: { className: 'TenantStoreSpike', useSQLite: true } },
      },
    ],
  }) as ConstructorParameters<typeof Miniflare>[0]
)
try {
  await mf.ready
  const statements = readdirSync(path.join(root, 'migrations'))
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .flatMap((file) => readFileSync(path.join(root, 'migrations', file), 'utf8').split('--> statement-breakpoint'))
    .map((statement) => statement.trim())
    .filter(Boolean)
  const migrated = await mf.dispatchFetch('http://spike/migrate', { method: 'POST', body: JSON.stringify(statements) })
  console.log('migrations:', migrated.status, await migrated.text())
  const run = await mf.dispatchFetch(`http://spike/import?pages=${pages}&perPage=${perPage}`)
  console.log('import:', run.status, await run.text())
} finally {
  await mf.dispose()
}
