/**
 * Tests run inside workerd with the real Worker, D1 and Queues (Miniflare). Outbound fetches go
 * to the platform simulators in test/simulators/, which run in this Node process.
 */
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { routeOutbound } from './test/simulators/router'

const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))

export default defineConfig({
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
        outboundService: routeOutbound,
      },
    }),
  ],
  test: {
    setupFiles: ['./test/setup/apply-migrations.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
