// Setup files may run more than once; applyD1Migrations applies only what is not applied yet.
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

await applyD1Migrations(env.DB, env.MIGRATIONS)
