/**
 * A use case over a held lease: it runs its outbound work, and then its outcome — the row's new
 * state, the order event that reports it, the hub deliveries and the steps' records — is written
 * in ONE batch together with the release. Whatever the work does, the lease is released (with
 * the outcome, or with the failure), and the event statements run only if that release went
 * through, so neither can be written without the other. While the work runs the lease is renewed.
 */
import { and, eq, type SQL } from 'drizzle-orm'
import type { OutboundSteps } from '../connectors/types'
import { RetryableError } from '../core/errors'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { type Statement, writeBatch } from '../db/write-batch'
import { keepLeased } from './keep-leased'
import type { handovers } from '../db/schema'
import {
  type Claim,
  type LeasedTable,
  leaseFree,
  newClaim,
  releasedBy,
  releaseStatement,
  renewStatement,
} from './lease'
import { claimedSteps, errorText, type OutboundCallRecord, outboundCallsStatement, type StepScope } from './steps'

/** What a use case's outcome writes with its release. */
export type Settlement = {
  /** The held row's new state (the lease's end is added). */
  set: Record<string, unknown>
  /** What goes with the state (order event, hub deliveries …), written only if the release is. */
  with?: (released: SQL) => Statement[]
  /** Calls to record with it (the use case's verdict as operators read it). */
  calls?: OutboundCallRecord[]
  /** Runs after the batch committed, with the results of the `with` statements (e.g. to queue them). */
  after?: (results: D1Result[]) => Promise<void>
}

export type HeldLease = {
  table: LeasedTable
  id: string
  claim: Claim
  /** The row was never claimed before (its attempts are 1): no step of it can have run. */
  firstAttempt: boolean
}

export type Held = {
  claim: Claim
  /** Outbound steps under this lease; their results are written with the release. */
  steps(scope: StepScope): OutboundSteps
}

export async function withClaim<Result>(
  db: Database,
  lease: HeldLease,
  work: {
    run(held: Held): Promise<Result>
    settle(result: Result): Settlement
    /** What a failure of `run` leaves (last error, a failed state and its event); the error is thrown on. */
    fail(error: unknown): Settlement
  }
): Promise<Result> {
  const { table, id, claim } = lease
  const kept = keepLeased(db, table, id, claim)
  const stepLogs: ReturnType<typeof claimedSteps>[] = []
  const held: Held = {
    claim,
    steps(scope) {
      const log = claimedSteps(db, scope, {
        firstAttempt: lease.firstAttempt,
        async flush(records) {
          const leaseUntil = new Date(Date.now() + claim.leaseMs).toISOString()
          const statements: Statement[] = [renewStatement(db, table, id, claim, leaseUntil)]
          const written = outboundCallsStatement(db, records)
          if (written) statements.push(db.run(written))
          const [renewed] = await writeBatch(db, statements)
          if (!renewed.results.length) throw new RetryableError(`the lease on ${id} was taken over`)
        },
      })
      stepLogs.push(log)
      return log.steps
    },
  }

  const commit = async (settlement: Settlement) => {
    const written = outboundCallsStatement(db, [
      ...stepLogs.flatMap((log) => log.records()),
      ...(settlement.calls ?? []),
    ])
    const records = written ? [db.run(written)] : []
    const following = settlement.with?.(releasedBy(table, id, claim)) ?? []
    const results = await writeBatch(db, [
      releaseStatement(db, table, id, claim, settlement.set),
      ...records,
      ...following,
    ])
    if (!results[0].results.length) throw new RetryableError(`the lease on ${id} ran out and was taken over`)
    await settlement.after?.(results.slice(1 + records.length))
  }

  let result: Result
  try {
    result = await work.run(held)
  } catch (error) {
    await kept.stop()
    try {
      await commit(work.fail(error))
    } catch (releaseError) {
      // The lease runs out on its own; the queue's retry claims the row again then.
      logger.warn('could not release a failed claim', { id, error: errorText(releaseError) })
    }
    throw error
  }
  await kept.stop()
  try {
    await commit(work.settle(result))
  } catch (error) {
    // The outcome and its event were not written (nothing of them was). Release the lease so
    // the retry can claim at once; the steps' records go with it, so no call is repeated.
    if (!(error instanceof RetryableError)) {
      await commit({ set: {} }).catch((releaseError: unknown) =>
        logger.warn('could not release a claim after its outcome failed to save', {
          id,
          error: errorText(releaseError),
        })
      )
    }
    throw error
  }
  return result
}

/**
 * A state change that needs no outbound call (a destination's report, a give-up): claimed and
 * released in one statement under a fresh token, with its events in the same batch. Returns
 * whether the row was in a state `claimable` accepts (and not held by a worker).
 */
export async function transition(
  db: Database,
  row: { table: LeasedTable; id: string; claimable: SQL },
  settlement: Settlement
): Promise<boolean> {
  const claim = newClaim()
  const leased = row.table as typeof handovers
  const following = settlement.with?.(releasedBy(row.table, row.id, claim)) ?? []
  const written = outboundCallsStatement(db, settlement.calls ?? [])
  const results = await writeBatch(db, [
    db
      .update(leased)
      .set({ ...settlement.set, claimToken: claim.token, leaseUntil: null })
      .where(and(eq(leased.id, row.id), row.claimable, leaseFree(row.table, claim.at)))
      .returning({ id: leased.id }),
    ...(written ? [db.run(written)] : []),
    ...following,
  ])
  if (!results[0].results.length) return false
  await settlement.after?.(results.slice(written ? 2 : 1))
  return true
}
