/**
 * The lease and the claim (src/exactly-once/) on their own, against real D1: a claim is taken
 * once, by one owner, until it is released or runs out; only the owner renews or releases it;
 * a long call keeps its lease; a use case's outcome and its events are written together or
 * not at all; a failure releases the lease with what it leaves.
 */
import { env } from 'cloudflare:workers'
import { eq, inArray, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { RetryableError } from '../../src/core/errors'
import { database } from '../../src/db/client'
import { outboundCalls, webhookDeliveries } from '../../src/db/schema'
import { claimStep } from '../../src/exactly-once/claim-step'
import { claimRowStatement, newClaim } from '../../src/exactly-once/lease'
import { outboundSteps } from '../../src/exactly-once/steps'
import { transition, withClaim } from '../../src/exactly-once/with-claim'
import { uniqueName } from '../helpers'

const db = () => database(env.DB)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A hub delivery row, the simplest leased row there is. */
async function deliveryRow(state = 'pending') {
  const id = `whd_${uniqueName()}`
  const now = new Date().toISOString()
  await env.DB.prepare(
    "insert into webhook_deliveries (id, tenant_id, endpoint_id, event_key, type, order_id, state, attempts, created_at, updated_at) values (?, 't', 'e', ?, 'order.imported', 'o', ?, 0, ?, ?)"
  )
    .bind(id, id, state, now, now)
    .run()
  return id
}

const sendable = inArray(webhookDeliveries.state, ['pending', 'failed'])
const stateOf = async (id: string) =>
  (await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get())!

describe('lease and claim', () => {
  it('a row is claimed by one owner; a second claim fails until the lease is released or runs out', async () => {
    const id = await deliveryRow()
    const first = newClaim()
    expect(await claimRowStatement(db(), webhookDeliveries, id, sendable, first)).toHaveLength(1)
    expect(await claimRowStatement(db(), webhookDeliveries, id, sendable, newClaim())).toHaveLength(0)
    // An expired lease may be taken over; the old owner can then release nothing.
    const short = await deliveryRow()
    const expiring = newClaim({ leaseMs: 1 })
    await claimRowStatement(db(), webhookDeliveries, short, sendable, expiring)
    await sleep(5)
    const takeover = newClaim()
    expect(await claimRowStatement(db(), webhookDeliveries, short, sendable, takeover)).toHaveLength(1)
    expect((await stateOf(short)).attempts).toBe(2)
    expect((await stateOf(short)).claimToken).toBe(takeover.token)
  })

  it('withClaim writes the outcome and its statements together, and nothing when the lease was taken over', async () => {
    const id = await deliveryRow()
    const claim = newClaim({ leaseMs: 1 })
    await claimRowStatement(db(), webhookDeliveries, id, sendable, claim)
    let marker = 0
    const outcome = withClaim(
      db(),
      { table: webhookDeliveries, id, claim, firstAttempt: true },
      {
        run: async () => {
          await sleep(20)
          // Another worker takes the row over meanwhile (its lease ran out).
          await claimRowStatement(db(), webhookDeliveries, id, sendable, newClaim())
          return 'sent'
        },
        settle: () => ({
          set: { state: 'delivered' },
          with: (released) => [
            db()
              .update(webhookDeliveries)
              .set({ lastError: 'event written' })
              .where(sql`${webhookDeliveries.id} = ${id} and ${released}`),
          ],
          after: async () => void marker++,
        }),
        fail: () => ({ set: {} }),
      }
    )
    await expect(outcome).rejects.toBeInstanceOf(RetryableError)
    expect(await stateOf(id)).toMatchObject({ state: 'pending', lastError: null })
    expect(marker).toBe(0)
  })

  it('withClaim releases a failed run with what the failure leaves, and renews the lease of a long call', async () => {
    const id = await deliveryRow()
    const claim = newClaim({ leaseMs: 150 })
    await claimRowStatement(db(), webhookDeliveries, id, sendable, claim)
    const attempt = withClaim(
      db(),
      { table: webhookDeliveries, id, claim, firstAttempt: true },
      {
        run: async () => {
          // Four lease lengths: without renewal another worker could claim the row meanwhile.
          for (let tick = 0; tick < 6; tick++) {
            await sleep(100)
            expect(await claimRowStatement(db(), webhookDeliveries, id, sendable, newClaim())).toHaveLength(0)
          }
          throw new Error('the platform timed out')
        },
        settle: () => ({ set: { state: 'delivered' } }),
        fail: (error) => ({ set: { state: 'failed', lastError: String(error) } }),
      }
    )
    await expect(attempt).rejects.toThrow(/timed out/)
    expect(await stateOf(id)).toMatchObject({ state: 'failed', leaseUntil: null, claimToken: claim.token })
    // A failed row may be claimed again.
    expect(await claimRowStatement(db(), webhookDeliveries, id, sendable, newClaim())).toHaveLength(1)
  })

  it('transition changes a row and writes its statements in one batch, only from the states it names', async () => {
    const id = await deliveryRow('delivered')
    const moved = await transition(
      db(),
      { table: webhookDeliveries, id, claimable: eq(webhookDeliveries.state, 'pending') },
      { set: { state: 'failed' } }
    )
    expect(moved).toBe(false)
    expect((await stateOf(id)).state).toBe('delivered')
    const pending = await deliveryRow()
    let released: unknown
    expect(
      await transition(
        db(),
        { table: webhookDeliveries, id: pending, claimable: eq(webhookDeliveries.state, 'pending') },
        {
          set: { state: 'failed' },
          with: (condition) => [
            db()
              .update(webhookDeliveries)
              .set({ lastError: 'with it' })
              .where(sql`${webhookDeliveries.id} = ${pending} and ${condition}`),
          ],
          after: async (results) => void (released = results[0].meta.changes),
        }
      )
    ).toBe(true)
    expect(await stateOf(pending)).toMatchObject({ state: 'failed', lastError: 'with it' })
    expect(released).toBe(1)
  })
})

describe('outbound steps', () => {
  const scope = () => ({
    tenantId: 'tnt_unit',
    connectionId: 'con_unit',
    orderId: null,
    owner: `unit:${uniqueName()}`,
    action: 'unit',
  })

  it('a step runs once: done is skipped, failed runs again, and steps not tied to an order are recorded', async () => {
    const steps = outboundSteps(db(), scope())
    let calls = 0
    await expect(
      steps.once('call', async () => {
        calls++
        throw new Error('refused')
      })
    ).rejects.toThrow(/refused/)
    expect(await steps.once('call', async () => void calls++)).toEqual({ skipped: false })
    expect(await steps.once('call', async () => void calls++)).toEqual({ skipped: true })
    expect(calls).toBe(2)
  })

  it('claimStep reports a step held by a live lease as busy and a done one as settled', async () => {
    const step = { tenantId: 't', connectionId: 'c', orderId: null, stepKey: `unit:${uniqueName()}`, action: 'unit' }
    const first = await claimStep(db(), step)
    expect(first.kind).toBe('claimed')
    expect((await claimStep(db(), step)).kind).toBe('busy')
    await db().update(outboundCalls).set({ result: 'done' }).where(eq(outboundCalls.stepKey, step.stepKey))
    expect((await claimStep(db(), step)).kind).toBe('settled')
  })
})
