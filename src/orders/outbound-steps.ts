/**
 * Exactly-once outbound steps. A write-back or hand-over that a queue retries must not send a
 * second note, shipping package or goods order: each step is an `outbound_calls` row keyed by
 * (event or hand-over, step), claimed in SQL before the call and marked done after it. A claim
 * that finds the step done skips it; one that finds an earlier attempt unfinished asks the
 * platform (`alreadyDone`) before calling again.
 */
import { sql } from 'drizzle-orm'
import type { OutboundSteps } from '../connectors/types'
import { randomId } from '../core/ids'
import { type Database, nowIso } from '../db/client'
import { outboundCalls } from '../db/schema'

export type StepScope = {
  tenantId: string
  connectionId: string
  /** Null for a step not tied to an order (a stock write, a product send). */
  orderId: string | null
  /** What the steps belong to: `event:<id>`, `handover:<id>` or `stock:<channel id>`. */
  owner: string
  /** Prefix of each step's action as operators read it, e.g. `write-back:shipped`. */
  action: string
}

function errorText(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000)
}

export function outboundSteps(db: Database, scope: StepScope): OutboundSteps {
  return {
    async once(step, run, options) {
      const stepKey = `${scope.owner}:${step}`
      const now = nowIso()
      // One statement claims the step: a new row, or another attempt of one not done yet.
      const claimed = await db
        .insert(outboundCalls)
        .values({
          id: randomId('out'),
          tenantId: scope.tenantId,
          connectionId: scope.connectionId,
          orderId: scope.orderId,
          stepKey,
          action: `${scope.action}:${step}`,
          result: 'started',
          attempts: 1,
          at: now,
        })
        .onConflictDoUpdate({
          target: outboundCalls.stepKey,
          set: { result: 'started', attempts: sql`${outboundCalls.attempts} + 1`, at: now },
          setWhere: sql`${outboundCalls.result} not in ('done', 'not_applicable')`,
        })
        .returning({ attempts: outboundCalls.attempts })
      if (!claimed.length) return { skipped: true }

      const finish = (result: string, detail: string | null) =>
        db
          .update(outboundCalls)
          .set({ result, detail, at: nowIso() })
          .where(sql`${outboundCalls.stepKey} = ${stepKey}`)
      try {
        if (claimed[0].attempts > 1 && options?.alreadyDone && (await options.alreadyDone())) {
          await finish('done', 'found done on the platform after an interrupted attempt')
          return { skipped: true }
        }
        const detail = await run()
        await finish('done', detail ?? null)
        return { skipped: false }
      } catch (error) {
        await finish('failed', errorText(error))
        throw error
      }
    },
  }
}

/** Records one outbound call that needs no exactly-once key (a read, or a whole write-back's verdict). */
export async function recordOutboundCall(
  db: Database,
  call: {
    tenantId: string
    connectionId: string
    orderId: string | null
    action: string
    result: string
    detail: string | null
  }
) {
  await db
    .insert(outboundCalls)
    .values({ id: randomId('out'), ...call, detail: call.detail?.slice(0, 2000) ?? null, at: nowIso() })
}
