/**
 * Disconnecting: Kontor's webhooks are removed at the platform (a failure there does not keep
 * the connection), the row is marked deleted with its session dropped, and intake forgets it.
 * Imported orders stay in the hub.
 */
import { eq } from 'drizzle-orm'
import { keyringOf } from '../core/crypto'
import { nowIso } from '../db/client'
import { forgetConnection, openConnection } from '../db/connections'
import { connections } from '../db/schema'
import { unregisterWebhooks } from '../webhook-subscriptions/registration'
import type { ConnectionSetupPorts } from './ports'
import { type Actor, auditStatement, SYSTEM } from '../audit/audit-log'
import { writeBatch } from '../db/write-batch'
import { ownConnection } from './read-model'

export async function deleteConnection(
  { env, db }: ConnectionSetupPorts,
  tenantId: string,
  id: string,
  /** Who does it, for the audit row written with the deletion. */
  who: Actor = SYSTEM
) {
  const row = await ownConnection(db, tenantId, id)
  await unregisterWebhooks(env, db, await openConnection(row, keyringOf(env)), row.webhookRegistration)
  await writeBatch(db, [
    db.update(connections).set({ deletedAt: nowIso(), sessionState: null }).where(eq(connections.id, row.id)),
    auditStatement(db, who, { tenantId, action: 'connection.deleted', targetId: row.id }),
  ])
  forgetConnection(row.id)
}
