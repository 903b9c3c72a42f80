/**
 * What both kinds of INGEST work share: a source connection loaded with its connector and the
 * tenant's currency, the import of what the platform sent, and the queueing of what the import
 * wrote as pending work (hand-overs, cancellations, updates, hub deliveries).
 */
import { eq } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findConnector } from '../connectors/registry'
import type { ConnectorContext, SourceConnector } from '../connectors/types'
import { FinalError } from '../core/errors'
import type { ImportNote, ImportRecord } from '../core/model'
import type { Bindings } from '../env'
import type { Database } from '../db/client'
import type { LoadedConnection } from '../db/connections'
import { tenants } from '../db/schema'
import { type FollowUps, importRecords, type ImportSummary } from '../import/import-records'
import { outboundSteps } from '../exactly-once/steps'
import { orderSnapshot } from '../orders/snapshot'
import type { DispatchMessage } from './messages'

export type Loaded = {
  connection: LoadedConnection
  connector: SourceConnector
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed by the connector's own schemas
  context: ConnectorContext<any, any>
  tenantCurrency: string
}

export async function loadForImport(env: Bindings, db: Database, connection: LoadedConnection): Promise<Loaded> {
  const connector = findConnector(connection.platform)
  if (!connector) throw new FinalError(`no connector for platform ${connection.platform}`)
  if (connector.role !== 'source') throw new FinalError(`${connection.platform} is not a source of orders`)
  const tenant = await db
    .select({ currency: tenants.currency })
    .from(tenants)
    .where(eq(tenants.id, connection.tenantId))
    .get()
  if (!tenant) throw new FinalError(`tenant of connection ${connection.id} is missing`)
  return {
    connection,
    connector,
    context: connectorContext(env, connector, connection, db),
    tenantCurrency: tenant.currency,
  }
}

/** Queues what an import wrote as pending work; a lost send is picked up by the cron's sweep. */
async function queueFollowUps(env: Bindings, followUps: FollowUps) {
  const messages: MessageSendRequest<DispatchMessage>[] = [
    ...followUps.handoverIds.map((handoverId) => ({ body: { type: 'handover' as const, handoverId } })),
    ...followUps.cancelHandoverIds.map((handoverId) => ({ body: { type: 'cancel' as const, handoverId } })),
    ...followUps.changedHandoverIds.map((handoverId) => ({ body: { type: 'update' as const, handoverId } })),
    ...followUps.deliveryIds.map((deliveryId) => ({ body: { type: 'hub-delivery' as const, deliveryId } })),
    ...followUps.productDestinationIds.map((destinationId) => ({
      body: { type: 'warehouse-products' as const, destinationId },
    })),
  ]
  // A queue batch holds at most 100 messages.
  for (let start = 0; start < messages.length; start += 100) {
    await env.DISPATCH.sendBatch(messages.slice(start, start + 100))
  }
}

export async function importAndHandOn(
  env: Bindings,
  db: Database,
  loaded: Loaded,
  origin: 'webhook' | 'poll' | 'backfill',
  records: ImportRecord[],
  notes?: ImportNote[]
): Promise<ImportSummary> {
  const { connection, connector, context } = loaded
  const summary = await importRecords(
    db,
    {
      tenantId: connection.tenantId,
      tenantCurrency: loaded.tenantCurrency,
      connectionId: connection.id,
      platform: connection.platform,
      settings: context.settings,
      origin,
      takesWebhooks: Boolean(connector.verifyWebhook),
      policy: connector.importPolicy,
      routes: connection.routes,
    },
    records,
    notes
  )
  // Hand-overs and hub events are rows already; queue them before any hook can fail.
  await queueFollowUps(env, summary.followUps)
  if (connector.afterOrderImported) {
    for (const outcome of summary.orders) {
      if (outcome.result !== 'created' && outcome.result !== 'updated' && outcome.result !== 'unchanged') continue
      // Called for unchanged orders too: when the hook failed last time, the retried import finds
      // the order unchanged, and the hook must still run (e.g. BB7's tag, or the order is read again).
      const snapshot = await orderSnapshot(db, outcome.orderId)
      if (!snapshot) continue
      const steps = outboundSteps(db, {
        tenantId: connection.tenantId,
        connectionId: connection.id,
        orderId: snapshot.id,
        owner: `import:${snapshot.id}`,
        action: 'after-import',
      })
      await connector.afterOrderImported(context, snapshot, outcome.result, steps)
    }
  }
  return summary
}
