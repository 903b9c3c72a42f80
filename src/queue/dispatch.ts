/**
 * The DISPATCH consumer: hands an imported order to a destination connection (Wemalo, plenigo,
 * …). A destination is a connector with `handOver`; until one is registered for a route's
 * platform, the message is dead-lettered with a clear reason instead of being dropped.
 */
import { FinalError } from '../core/errors'
import type { Bindings } from '../env'
import { database } from '../db/client'
import { loadConnection } from '../db/connections'
import type { DispatchMessage } from './messages'

export async function handleDispatchMessage(env: Bindings, message: DispatchMessage) {
  const db = database(env.DB)
  const destination = await loadConnection(db, env.ENCRYPTION_KEY, message.destinationId)
  if (!destination) throw new FinalError(`destination connection ${message.destinationId} not found`)
  throw new FinalError(`${destination.platform} cannot receive orders yet`)
}
