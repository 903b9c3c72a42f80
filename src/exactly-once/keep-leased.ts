/**
 * Renews a lease while a long call runs (a hand-over whose HTTP client waits out a Retry-After
 * can take longer than one lease), so no other worker takes the row over meanwhile. A renewal
 * that finds the token gone marks the lease lost: the holder's release will then change nothing.
 */
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { type Claim, type LeasedTable, renewStatement } from './lease'

export type KeptLease = {
  /** Stops renewing; waits for a renewal in flight. */
  stop(): Promise<void>
  /** Renews now; false when another worker holds the row. */
  renew(): Promise<boolean>
  readonly lost: boolean
}

export function keepLeased(db: Database, table: LeasedTable, id: string, claim: Claim): KeptLease {
  let lost = false
  let inFlight: Promise<unknown> = Promise.resolve()
  const renew = async () => {
    const leaseUntil = new Date(Date.now() + claim.leaseMs).toISOString()
    const renewed = await renewStatement(db, table, id, claim, leaseUntil)
    if (!renewed.length) lost = true
    else claim.leaseUntil = leaseUntil
    return renewed.length > 0
  }
  const timer = setInterval(
    () => {
      inFlight = renew().catch((error: unknown) => logger.warn('lease renewal failed', { id, error: String(error) }))
    },
    Math.max(50, Math.floor(claim.leaseMs / 3))
  )
  return {
    async stop() {
      clearInterval(timer)
      await inFlight
    },
    renew,
    get lost() {
      return lost
    },
  }
}
