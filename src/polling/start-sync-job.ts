/** Starts a poll or backfill run of a connection: a job row for operators, then its first page. */
import type { SyncMode } from '../core/model'
import { randomId } from '../core/ids'
import { type Database, nowIso } from '../db/client'
import { syncJobs } from '../db/schema'
import type { PageMessage } from '../queue/messages'

export async function startSync(
  db: Database,
  ingest: Queue,
  connection: { id: string; tenantId: string },
  mode: SyncMode,
  since: string | null
): Promise<string> {
  const jobId = randomId('job')
  await db.insert(syncJobs).values({
    id: jobId,
    tenantId: connection.tenantId,
    connectionId: connection.id,
    mode,
    status: 'running',
    startedAt: nowIso(),
  })
  const message: PageMessage = {
    type: 'page',
    connectionId: connection.id,
    jobId,
    mode,
    pageToken: null,
    since,
    highWater: null,
    page: 1,
  }
  await ingest.send(message)
  return jobId
}
