/**
 * A poll or backfill started by hand: a poll continues from where the last one stopped (from
 * the connection's creation before the first), a backfill reads everything again.
 */
import { findSourceConnector } from '../connectors/registry'
import type { SyncMode } from '../core/model'
import { ApiError } from '../core/errors'
import { startSync } from '../polling/start-sync-job'
import type { ConnectionSetupPorts } from './ports'
import { lastPollCursor, ownConnection } from './read-model'

/** Starts the run and answers its sync job's id. */
export async function startConnectionRun(
  { env, db }: ConnectionSetupPorts,
  tenantId: string,
  id: string,
  mode: SyncMode
): Promise<string> {
  const row = await ownConnection(db, tenantId, id)
  if (row.pausedAt)
    throw new ApiError(409, 'connection_paused', 'the connection is paused: resume it to poll or backfill')
  if (!findSourceConnector(row.platform)?.fetchPage)
    throw new ApiError(400, 'invalid_request', `${row.platform} cannot be polled`)
  const cursor = mode === 'poll' ? await lastPollCursor(db, row.id) : null
  return startSync(db, env.INGEST, row, mode, mode === 'poll' ? (cursor ?? row.createdAt) : null)
}
