/**
 * What every hand-over use case shares: its row as a destination connector sees it, the
 * destination connection opened with its connector, and the hand-over's events, written in the
 * batch of the state change they report (src/exactly-once/with-claim.ts).
 */
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { connectorContext } from '../connector-runtime/context'
import { findDestinationConnector } from '../connectors/registry'
import type { ConnectorContext, HandoverReference } from '../connectors/types'
import { decryptJson, keyringOf } from '../core/crypto'
import type { HandoverState, OrderEventInput } from '../core/model'
import { type Database } from '../db/client'
import { type ConnectionRow, loadConnection, openConnection, writeSessionState } from '../db/connections'
import { handovers, orders } from '../db/schema'
import type { Bindings } from '../env'
import type { Settlement } from '../exactly-once/with-claim'
import { orderEventStatements, queueRecordedEvent } from '../orders/record-event'

export type HandoverRow = typeof handovers.$inferSelect

/** Which version of an order a destination holds: the platform's change time and content hash. */
export const orderVersion = sql<string>`${orders.updatedAt} || '#' || substr(${orders.contentHash}, 1, 16)`

export async function loadDestination(env: Bindings, db: Database, destinationId: string) {
  const connection = await loadConnection(db, keyringOf(env), destinationId)
  const connector = connection ? findDestinationConnector(connection.platform) : undefined
  return connection && connector ? { connection, connector } : null
}

/** The destination from a connection row read with the claim (null: deleted, or not a destination). */
export async function openDestination(env: Bindings, row: ConnectionRow | null) {
  if (!row || row.deletedAt) return null
  const connector = findDestinationConnector(row.platform)
  return connector ? { connection: await openConnection(row, keyringOf(env)), connector } : null
}

type Destination = NonNullable<Awaited<ReturnType<typeof openDestination>>>

/** The context a use case holding a hand-over's claim calls its destination with: the session as read with the claim. */
export function claimedDestinationContext(
  env: Bindings,
  db: Database,
  destination: Destination,
  sealedSession: string | null
) {
  const { connection, connector } = destination
  return connectorContext(env, connector, connection, db, sessionReadWithClaim(env, db, connection.id, sealedSession))
}

/**
 * The destination's session store for a use case that read the session state with its claim:
 * the first read costs no statement; a write goes to D1 at once, as the connector's own store does.
 */
function sessionReadWithClaim(
  env: Bindings,
  db: Database,
  connectionId: string,
  sealed: string | null
): ConnectorContext<unknown, unknown>['session'] {
  let current: { value: unknown } | null = null
  return {
    async get<T>() {
      current ??= { value: sealed ? await decryptJson(keyringOf(env), sealed) : null }
      return current.value as T | null
    },
    async set(value: unknown) {
      await writeSessionState(db, keyringOf(env), connectionId, value)
      current = { value }
    },
  }
}

/** A row as a destination connector sees it again (to cancel, change or confirm it). */
export function referenceOf(row: HandoverRow): HandoverReference {
  return {
    orderId: row.orderId,
    reference: row.reference,
    state: row.state as HandoverState,
    details: row.details,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/**
 * The events of a hand-over's state change, keyed `handover:<id>:<key>` so a repeat adds none,
 * written only if the change was (and, with `whenState`, only if it left the row in that state).
 */
export function handoverEvents(
  env: Bindings,
  db: Database,
  row: Pick<HandoverRow, 'id' | 'tenantId' | 'orderId' | 'destinationId'>,
  events: [key: string, event: OrderEventInput][],
  whenState?: HandoverState
): Pick<Settlement, 'with' | 'after'> {
  const recorded = events.map(
    ([key, event]) =>
      (released: SQL) =>
        orderEventStatements(
          db,
          {
            tenantId: row.tenantId,
            orderId: row.orderId,
            event,
            idempotencyKey: `handover:${row.id}:${key}`,
            source: row.destinationId,
          },
          whenState
            ? and(
                released,
                sql`exists (select 1 from ${handovers} where ${handovers.id} = ${row.id} and ${handovers.state} = ${whenState})`
              )!
            : released
        )
  )
  let built: ReturnType<typeof orderEventStatements>[] = []
  return {
    with(released) {
      built = recorded.map((build) => build(released))
      return built.flatMap((event) => event.statements)
    },
    async after(results) {
      const queues = { sync: env.SYNC, dispatch: env.DISPATCH }
      for (const [index, event] of built.entries())
        await queueRecordedEvent(db, queues, event.id, results.slice(index * 3, index * 3 + 3))
    },
  }
}

export const handoverById = (id: string) => eq(handovers.id, id)
