/**
 * Two projects in one run. `workers`: tests inside workerd with the real Worker, D1 and Queues
 * (Miniflare); outbound fetches go to the platform simulators in test/simulators/, which run in
 * this Node process. `node`: test/node/, plain Node (e.g. a browser driving a started Worker).
 */
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig, defineProject } from 'vitest/config'
import { routeOutbound } from './test/simulators/router'

const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))

/**
 * The Workers rate-limiting bindings of wrangler.toml, with other limits: high ones for the
 * suite (thousands of calls with one token and no client address), low ones for the project that
 * tests the limits themselves (test/limits/).
 */
const rateLimits = (api: number, signIn: number) => ({
  API_ADDRESS_LIMIT: { namespace_id: '18001', simple: { limit: api, period: 60 as const } },
  API_TOKEN_LIMIT: { namespace_id: '18002', simple: { limit: api, period: 60 as const } },
  SIGN_IN_LIMIT: { namespace_id: '18003', simple: { limit: signIn, period: 60 as const } },
})

const workersProject = (
  name: string,
  include: string[],
  exclude: string[],
  ratelimits: ReturnType<typeof rateLimits>
) =>
  defineProject({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            MIGRATIONS: migrations,
            ADMIN_TOKEN: 'test-admin-token',
            ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
            ALLOW_INSECURE_URLS: 'false',
            RETRY_BASE_SECONDS: '0.25',
          },
          queueConsumers: {
            'kontor-ingest': { maxBatchTimeout: 0.05, maxRetries: 5, deadLetterQueue: 'kontor-ingest-dlq' },
            'kontor-dispatch': { maxBatchTimeout: 0.05, maxRetries: 5, deadLetterQueue: 'kontor-dispatch-dlq' },
            'kontor-sync': { maxBatchTimeout: 0.05, maxRetries: 5, deadLetterQueue: 'kontor-sync-dlq' },
            'kontor-ingest-dlq': { maxBatchTimeout: 0.05 },
            'kontor-dispatch-dlq': { maxBatchTimeout: 0.05 },
            'kontor-sync-dlq': { maxBatchTimeout: 0.05 },
          },
          // An empty database for test/db/migrations.test.ts, migrated step by step.
          d1Databases: { MIGRATION_CHECK: 'kontor-migration-check' },
          outboundService: routeOutbound,
          ratelimits,
        },
      }),
    ],
    test: {
      name,
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include,
      exclude,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  })

const workers = workersProject(
  'workers',
  ['test/**/*.test.ts'],
  ['test/node/**', 'test/limits/**', '**/node_modules/**'],
  rateLimits(1_000_000, 1_000_000)
)
const limits = workersProject('limits', ['test/limits/**/*.test.ts'], ['**/node_modules/**'], rateLimits(5, 3))

/** Tests that need Node: the dashboard in a real browser against a locally started Worker, … */
const node = defineProject({
  test: {
    name: 'node',
    environment: 'node',
    include: ['test/node/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
})

export default defineConfig({ test: { projects: [workers, limits, node] } })
