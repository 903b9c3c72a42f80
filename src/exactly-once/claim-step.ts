/**
 * Claims an `outbound_calls` step row: a new one, or one that `failed`, or one `started` whose
 * lease ran out. A step `started` under a live lease is busy; one done (or with a final verdict)
 * is settled. The same statement as a standalone step's (steps.ts), for use cases that run more
 * than one call under the step (a write-back) through withClaim.
 */
import { and, eq, notInArray, or, sql } from 'drizzle-orm'
import { randomId } from '../core/ids'
import type { Database } from '../db/client'
import { outboundCalls } from '../db/schema'
import { type Claim, leaseFree, newClaim } from './lease'

export type StepClaim =
  | { kind: 'claimed'; id: string; attempts: number; claim: Claim }
  | { kind: 'busy'; retryAfterSeconds: number }
  | { kind: 'settled' }

/** A step's result that ends it for good: anything but `started` and `failed`. */
const OPEN_RESULTS = ['started', 'failed']

export async function claimStep(
  db: Database,
  step: { tenantId: string; connectionId: string; orderId: string | null; stepKey: string; action: string },
  /** `onlyAtAttempts`: claim only while the row's attempt count is this (an operator's retry, see retry-write-back.ts). */
  options: { leaseMs?: number; onlyAtAttempts?: number } = {}
): Promise<StepClaim> {
  const claim = newClaim(options)
  const claimed = await db
    .insert(outboundCalls)
    .values({
      id: randomId('out'),
      ...step,
      result: 'started',
      attempts: 1,
      at: claim.at,
      claimToken: claim.token,
      leaseUntil: claim.leaseUntil,
    })
    .onConflictDoUpdate({
      target: outboundCalls.stepKey,
      set: {
        result: 'started',
        attempts: sql`${outboundCalls.attempts} + 1`,
        at: claim.at,
        detail: null,
        claimToken: claim.token,
        leaseUntil: claim.leaseUntil,
      },
      setWhere: and(
        or(
          eq(outboundCalls.result, 'failed'),
          and(eq(outboundCalls.result, 'started'), leaseFree(outboundCalls, claim.at))
        ),
        options.onlyAtAttempts === undefined ? undefined : eq(outboundCalls.attempts, options.onlyAtAttempts)
      ),
    })
    .returning({ id: outboundCalls.id, attempts: outboundCalls.attempts })
  if (claimed.length) return { kind: 'claimed', id: claimed[0].id, attempts: claimed[0].attempts, claim }
  const current = await db
    .select({ result: outboundCalls.result, leaseUntil: outboundCalls.leaseUntil })
    .from(outboundCalls)
    .where(and(eq(outboundCalls.stepKey, step.stepKey), notInArray(outboundCalls.result, ['done'])))
    .get()
  if (current && OPEN_RESULTS.includes(current.result)) {
    const until = current.leaseUntil ? Date.parse(current.leaseUntil) : Date.now()
    return { kind: 'busy', retryAfterSeconds: Math.max(1, Math.ceil((until - Date.now()) / 1000)) }
  }
  return { kind: 'settled' }
}
