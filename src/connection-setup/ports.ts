/** What the connection use cases run with: the Worker's bindings (keys, queues, URL policy) and D1. */
import type { Database } from '../db/client'
import type { Bindings } from '../env'

export type ConnectionSetupPorts = { env: Bindings; db: Database }
