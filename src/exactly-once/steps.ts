/**
 * Outbound steps: a call the platform would repeat if it were sent twice (a note, a shipment, a
 * goods order) runs at most once per key. Two ways to hold a step, one lease (lease.ts):
 * - `outboundSteps`: a step on its own (a product send, a stock write) is an `outbound_calls` row
 *   claimed before the call and released with its result after it.
 * - `claimedSteps`: steps inside a use case that already holds a lease (withClaim) need no claim
 *   of their own; the held row's attempt count says whether an earlier attempt may have made the
 *   call, and the results are written with the use case's release, in the same batch.
 * A step found started but never finished asks the platform (`alreadyDone`) before it calls again.
 */
import { eq, type SQL, sql } from 'drizzle-orm'
import type { OutboundSteps } from '../connectors/types'
import { RetryableError } from '../core/errors'
import { randomId } from '../core/ids'
import { logger } from '../core/logger'
import { type Database, nowIso } from '../db/client'
import { outboundCalls } from '../db/schema'
import { claimStep } from './claim-step'
import { releaseStatement } from './lease'
import { keepLeased } from './keep-leased'

export type StepScope = {
  tenantId: string
  connectionId: string
  /** The order the steps are about; null for steps not tied to one (a product send, a stock write). */
  orderId: string | null
  /** What the steps belong to, e.g. `event:<id>` or `handover:<id>`: a step's key is `<owner>:<step>`. */
  owner: string
  /** Prefix of each step's action as operators read it, e.g. `write-back:shipped`. */
  action: string
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000)
}

/** Results that end a step for good; `failed` and an expired `started` may be claimed again. */
const SETTLED = ['done', 'not_applicable']

/** One step claimed on its own: claim, call, release, each step a lease of its own. */
export function outboundSteps(db: Database, scope: StepScope, options: { leaseMs?: number } = {}): OutboundSteps {
  return {
    async once(step, run, stepOptions) {
      const stepKey = `${scope.owner}:${step}`
      const claimed = await claimStep(
        db,
        {
          tenantId: scope.tenantId,
          connectionId: scope.connectionId,
          orderId: scope.orderId,
          stepKey,
          action: `${scope.action}:${step}`,
        },
        options
      )
      if (claimed.kind === 'settled') return { skipped: true }
      // Another worker is making this call right now: not done yet, so not skipped either.
      if (claimed.kind === 'busy')
        throw new RetryableError(`step ${stepKey} is in progress elsewhere`, claimed.retryAfterSeconds)
      const { id, attempts, claim } = claimed
      const finish = async (result: string, detail: string | null) => {
        const released = await releaseStatement(db, outboundCalls, id, claim, { result, detail, at: nowIso() })
        if (!released.length) logger.warn('step finished after its lease was taken over', { stepKey, result })
      }
      const lease = keepLeased(db, outboundCalls, id, claim)
      try {
        if (attempts > 1 && stepOptions?.alreadyDone && (await stepOptions.alreadyDone())) {
          await lease.stop()
          await finish('done', 'found done on the platform after an interrupted attempt')
          return { skipped: true }
        }
        const detail = await run()
        await lease.stop()
        await finish('done', detail ?? null)
        return { skipped: false }
      } catch (error) {
        await lease.stop()
        await finish('failed', errorText(error))
        throw error
      }
    },
  }
}

/**
 * Steps run under a lease the use case holds. `firstAttempt`: the held row was never claimed
 * before, so no step of it can have run; otherwise each step's row is read before its call.
 * `flush` writes what ran so far (and renews the lease) before the next call, so a crash between
 * two steps repeats neither; the rest is written with the use case's release.
 */
export function claimedSteps(
  db: Database,
  scope: StepScope,
  holder: { firstAttempt: boolean; flush(records: OutboundCallRow[]): Promise<void> }
) {
  const records: OutboundCallRow[] = []
  let unflushed = 0
  const record = (stepKey: string, step: string, result: 'done' | 'failed', detail: string | null) => {
    records.push({
      tenantId: scope.tenantId,
      connectionId: scope.connectionId,
      orderId: scope.orderId,
      stepKey,
      action: `${scope.action}:${step}`,
      result,
      detail,
    })
    unflushed++
  }

  const steps: OutboundSteps = {
    async once(step, run, options) {
      const stepKey = `${scope.owner}:${step}`
      if (records.some((row) => row.stepKey === stepKey && row.result === 'done')) return { skipped: true }
      if (!holder.firstAttempt) {
        const earlier = await db
          .select({ result: outboundCalls.result })
          .from(outboundCalls)
          .where(eq(outboundCalls.stepKey, stepKey))
          .get()
        if (earlier && SETTLED.includes(earlier.result)) return { skipped: true }
        // An earlier holder may have made the call and lost its answer or its record.
        if (options?.alreadyDone && (await options.alreadyDone())) {
          record(stepKey, step, 'done', 'found done on the platform after an interrupted attempt')
          return { skipped: true }
        }
      }
      if (unflushed) {
        await holder.flush(records.splice(0))
        unflushed = 0
      }
      try {
        const detail = await run()
        record(stepKey, step, 'done', detail ?? null)
        return { skipped: false }
      } catch (error) {
        record(stepKey, step, 'failed', errorText(error))
        throw error
      }
    },
  }
  // A copy: a release that fails leaves them for the release that follows it.
  return { steps, records: () => [...records] }
}

/** An `outbound_calls` row: a step's result (with its key) or a call's verdict (without one). */
export type OutboundCallRow = OutboundCallRecord & { stepKey?: string | null }

/**
 * One statement for any number of calls and step results. A step's row is its key's only row:
 * written again it takes the new result, unless it is already settled.
 */
export function outboundCallsStatement(db: Database, rows: OutboundCallRow[]): SQL | null {
  if (!rows.length) return null
  const at = nowIso()
  const values = rows.map(
    (row) =>
      sql`(${randomId('out')}, ${row.tenantId}, ${row.connectionId}, ${row.orderId}, ${row.stepKey ?? null}, ${row.action}, ${row.result}, ${row.detail?.slice(0, 2000) ?? null}, 1, ${at})`
  )
  return sql`insert into ${outboundCalls} (id, tenant_id, connection_id, order_id, step_key, action, result, detail, attempts, at)
    values ${sql.join(values, sql`, `)}
    on conflict (step_key) do update set result = excluded.result, detail = excluded.detail, at = excluded.at,
      attempts = ${outboundCalls.attempts} + 1, lease_until = null
    where ${outboundCalls.result} not in ('done', 'not_applicable')`
}

/** Records one outbound call that needs no claim (a read, or a whole use case's verdict). */
export async function recordOutboundCall(db: Database, call: OutboundCallRecord) {
  await outboundCallStatement(db, call)
}

export type OutboundCallRecord = {
  tenantId: string
  connectionId: string
  orderId: string | null
  action: string
  result: string
  detail: string | null
}

export function outboundCallStatement(db: Database, call: OutboundCallRecord) {
  return db
    .insert(outboundCalls)
    .values({ id: randomId('out'), ...call, detail: call.detail?.slice(0, 2000) ?? null, at: nowIso() })
}
