declare namespace Cloudflare {
  interface Env {
    MIGRATIONS: import('cloudflare:test').D1Migration[]
    MIGRATION_CHECK: D1Database
  }
}
