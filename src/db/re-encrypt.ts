/**
 * ENCRYPTION_KEY rotation: moves every ciphertext (connection credentials and session state, hub
 * endpoint secrets) to the newest key of the ring, in bounded batches. A ciphertext sealed with
 * the newest key starts with `v2.<its key id>.` (src/core/crypto.ts); the others — older keys,
 * and `v1.` ciphertexts without a key id — are found through indexes on that 20-character
 * prefix, so a tick with nothing to do costs three index probes.
 *
 * Rotating: set `ENCRYPTION_KEYS` to `new,old` (new writes use `new`, both open); the cron moves
 * up to BATCH rows per column per tick, or `POST /api/v1/admin/re-encrypt` does it at once;
 * when it reports nothing remaining, set `ENCRYPTION_KEYS` to `new` alone. Each row is written
 * only if it is still what was read (compare-and-set), so a concurrent credentials change or
 * session write wins and is moved on the next pass.
 */
import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { type Keyring, newestKeyPrefix, reseal, SEALED_PREFIX_LENGTH } from '../core/crypto'
import { logger } from '../core/logger'
import type { auditStatement } from '../audit/audit-log'
import type { Database } from './client'
import { connections, webhookEndpoints } from './schema'

export const RE_ENCRYPT_BATCH = 50

type AuditInsert = ReturnType<typeof auditStatement>

type Sealed = { table: SQLiteTable; id: SQLiteColumn; column: SQLiteColumn; name: ColumnName; field: string }
type ColumnName = 'credentials' | 'sessionState' | 'webhookSecrets' | 'previousWebhookSecrets'
export type Counts = Record<ColumnName, number>

const SEALED: Sealed[] = [
  {
    table: connections,
    id: connections.id,
    column: connections.credentials,
    name: 'credentials',
    field: 'credentials',
  },
  {
    table: connections,
    id: connections.id,
    column: connections.sessionState,
    name: 'sessionState',
    field: 'sessionState',
  },
  {
    table: webhookEndpoints,
    id: webhookEndpoints.id,
    column: webhookEndpoints.secret,
    name: 'webhookSecrets',
    field: 'secret',
  },
  // The secret before a rotation, while it still signs (issue 18).
  {
    table: webhookEndpoints,
    id: webhookEndpoints.id,
    column: webhookEndpoints.previousSecret,
    name: 'previousWebhookSecrets',
    field: 'previousSecret',
  },
]

/**
 * Not sealed with the newest key. The expression is the indexed one, literally (SQLite matches an
 * expression index only on the same expression); two ranges, since `<>` cannot use an index.
 * NULL (no session state) is in neither range.
 */
function stale(column: SQLiteColumn, prefix: string): SQL {
  const head = sql`substr(${column}, 1, ${sql.raw(String(SEALED_PREFIX_LENGTH))})`
  return sql`(${head} < ${prefix} or ${head} > ${prefix})`
}

const zero = (): Counts => ({ credentials: 0, sessionState: 0, webhookSecrets: 0, previousWebhookSecrets: 0 })

/** One bounded pass: at most `limit` rows per column moved to the newest key. */
export async function reEncryptBatch(
  db: Database,
  ring: Keyring,
  limit = RE_ENCRYPT_BATCH,
  /** Statements to write with the first re-sealed rows (or alone when none moved): an audit row. */
  along: AuditInsert[] = []
): Promise<{ reEncrypted: Counts; failed: Counts }> {
  let pendingAlong = along
  const prefix = await newestKeyPrefix(ring)
  const reEncrypted = zero()
  const failed = zero()
  for (const { table, id, column, name, field } of SEALED) {
    const rows = (await db.select({ id, sealed: column }).from(table).where(stale(column, prefix)).limit(limit)) as {
      id: string
      sealed: string
    }[]
    const updates = []
    for (const row of rows) {
      try {
        const next = await reseal(ring, row.sealed)
        updates.push(
          db
            .update(table)
            .set({ [field]: next })
            .where(and(eq(id, row.id), eq(column, row.sealed)))
            .returning({ id })
        )
      } catch (error) {
        failed[name]++
        logger.error('a ciphertext opens with no configured key', { column: name, id: row.id, error: String(error) })
      }
    }
    if (!updates.length) continue
    const results = await db.batch([...updates, ...pendingAlong] as unknown as Parameters<typeof db.batch>[0])
    pendingAlong = []
    for (const result of results.slice(0, updates.length)) reEncrypted[name] += (result as unknown[]).length
  }
  if (pendingAlong.length) await db.batch(pendingAlong as unknown as Parameters<typeof db.batch>[0])
  return { reEncrypted, failed }
}

/** How many ciphertexts are not yet sealed with the newest key. */
export async function staleCounts(db: Database, ring: Keyring): Promise<Counts> {
  const prefix = await newestKeyPrefix(ring)
  const counts = zero()
  for (const { table, column, name } of SEALED) {
    const row = await db
      .select({ n: sql<number>`count(*)` })
      .from(table)
      .where(stale(column, prefix))
      .get()
    counts[name] = row?.n ?? 0
  }
  return counts
}

/**
 * The operator's run: passes until nothing more moves or `maxPasses` is reached (a Worker
 * invocation has a bounded number of D1 calls), then what is left.
 */
export async function reEncryptAll(db: Database, ring: Keyring, maxPasses = 20, along: AuditInsert[] = []) {
  const reEncrypted = zero()
  let failed = zero()
  for (let pass = 0; pass < maxPasses; pass++) {
    const batch = await reEncryptBatch(db, ring, RE_ENCRYPT_BATCH, pass === 0 ? along : [])
    for (const name of Object.keys(reEncrypted) as ColumnName[]) reEncrypted[name] += batch.reEncrypted[name]
    failed = batch.failed
    if (Object.values(batch.reEncrypted).every((n) => n === 0)) break
  }
  return { reEncrypted, failed, remaining: await staleCounts(db, ring) }
}
