/**
 * The one lease every outbound step is claimed under (issue 16). A claim is a single statement
 * that checks the row's state and that no live lease is on it, and writes an owner (a random
 * claim token) and an expiry; only the owner can renew or release it, and a release is a
 * compare-and-set on the token, so a worker whose lease ran out and was taken over changes
 * nothing. The lease columns (`claim_token`, `lease_until`, `attempts`) live on the row that is
 * worked on: a hand-over, a hub delivery, or an outbound step (`outbound_calls`).
 */
import { and, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import { randomId } from '../core/ids'
import type { Database } from '../db/client'
import type { handovers, outboundCalls, webhookDeliveries } from '../db/schema'

/** Long enough for one outbound call with the retries inside the HTTP client; renewed while it runs. */
export const LEASE_MS = 2 * 60_000

/** A row that carries a lease: its id, holder, expiry and attempt count. */
export type LeasedTable = typeof handovers | typeof webhookDeliveries | typeof outboundCalls

export type Claim = {
  /** The owner: only the worker that holds this token may renew or release the row. */
  token: string
  leaseMs: number
  /** When the lease ends unless renewed (ISO). */
  leaseUntil: string
  /** When the claim was taken (ISO): a lease that ended before this may be taken over. */
  at: string
}

export function newClaim(options: { leaseMs?: number; now?: Date } = {}): Claim {
  const now = options.now ?? new Date()
  const leaseMs = options.leaseMs ?? LEASE_MS
  return {
    token: randomId('clm'),
    leaseMs,
    leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    at: now.toISOString(),
  }
}

/** No worker holds the row: never leased, released, or its lease ran out. */
export function leaseFree(table: LeasedTable, at: string): SQL {
  return or(isNull(table.leaseUntil), lt(table.leaseUntil, at))!
}

/**
 * Claims row `id` of `table` when `claimable` holds (its state, and anything else the use case
 * needs, e.g. that the order is not cancelled) and no live lease is on it; returns the row.
 * `countAttempt` (default) adds one to the row's attempts: a second attempt may find an earlier
 * one's call made but not recorded, and asks the platform before repeating it.
 */
export function claimRowStatement(
  db: Database,
  table: LeasedTable,
  id: string,
  claimable: SQL,
  claim: Claim,
  options: { countAttempt?: boolean } = {}
) {
  const leased = table as typeof handovers
  return db
    .update(leased)
    .set({
      claimToken: claim.token,
      leaseUntil: claim.leaseUntil,
      ...(options.countAttempt === false ? {} : { attempts: sql`${leased.attempts} + 1` }),
    })
    .where(and(eq(leased.id, id), claimable, leaseFree(table, claim.at)))
    .returning()
}

/** Moves the lease on; changes nothing (returns no row) when the token no longer holds it. */
export function renewStatement(db: Database, table: LeasedTable, id: string, claim: Claim, leaseUntil: string) {
  const leased = table as typeof handovers
  return db
    .update(leased)
    .set({ leaseUntil })
    .where(and(eq(leased.id, id), eq(leased.claimToken, claim.token)))
    .returning({ id: leased.id })
}

/** Ends the lease and writes the row's new state, only while `claim` still holds it. */
export function releaseStatement(
  db: Database,
  table: LeasedTable,
  id: string,
  claim: Claim,
  set: Record<string, unknown>
) {
  const leased = table as typeof handovers
  return db
    .update(leased)
    .set({ ...set, leaseUntil: null })
    .where(and(eq(leased.id, id), eq(leased.claimToken, claim.token)))
    .returning({ id: leased.id })
}

/**
 * True, inside the release's batch, once the release went through: the row keeps the last
 * holder's token with no lease, which no other worker can produce. The statements that go with a
 * state change (its order event, hub deliveries) run only under this condition, so a state is
 * never written without its event and an event never without its state.
 */
export function releasedBy(table: LeasedTable, id: string, claim: Claim): SQL {
  const leased = table as typeof handovers
  return sql`exists (select 1 from ${leased} where ${leased.id} = ${id} and ${leased.claimToken} = ${claim.token} and ${leased.leaseUntil} is null)`
}
