/**
 * A destination's report poll is recorded as a `poll` run in `sync_jobs`, like a source's poll,
 * so the dashboard's "Last poll" and the API's runs show it (issue 19, finding 3).
 */
import { eq } from 'drizzle-orm'
import { randomId } from '../core/ids'
import { type Database, nowIso } from '../db/client'
import { syncJobs } from '../db/schema'

export async function recordedPoll<T>(
  db: Database,
  connection: { id: string; tenantId: string },
  poll: () => Promise<{ result: T; reports: number }>
): Promise<T> {
  const id = randomId('job')
  await db.insert(syncJobs).values({
    id,
    tenantId: connection.tenantId,
    connectionId: connection.id,
    mode: 'poll',
    status: 'running',
    startedAt: nowIso(),
  })
  try {
    const { result, reports } = await poll()
    await db
      .update(syncJobs)
      .set({ status: 'done', pages: 1, records: reports, finishedAt: nowIso() })
      .where(eq(syncJobs.id, id))
    return result
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    await db
      .update(syncJobs)
      .set({ status: 'failed', error: message.slice(0, 2000), finishedAt: nowIso() })
      .where(eq(syncJobs.id, id))
    throw error
  }
}
