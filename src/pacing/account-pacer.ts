/**
 * AccountPacer: one Durable Object per platform account (`idFromName('<platform>:<account>')`),
 * so every isolate and every queue consumer that calls that account asks the same object for
 * its slots. A caller reserves before each call (`acquire`: the DO answers how long to wait, the
 * reservation already counted), and reports what the platform's answer said (`observe`), so the
 * shared state follows the platform's own counters. The arithmetic is in ./buckets.ts.
 *
 * A Durable Object runs one call at a time, so reservations never race. The state lives in
 * memory and is written to storage after each change (the output gate holds the answer until it
 * is stored), so an evicted or restarted object starts from what it had reserved.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  type Buckets,
  claimSlot,
  isIdle,
  type Observation,
  observe,
  reserve,
  type SlotRequest,
  type Slots,
} from './buckets'

type Stored = { buckets: Buckets; slots: Record<string, Slots> }

export type AcquireAnswer = { reserved: boolean; waitMs: number }
export type SlotAnswer = { granted: boolean; waitMs: number }

export class AccountPacer extends DurableObject<Env> {
  private buckets: Buckets = {}
  private slots: Record<string, Slots> = {}

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    void ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<Stored>('state')
      if (stored) {
        this.buckets = stored.buckets ?? {}
        this.slots = stored.slots ?? {}
      }
    })
  }

  /**
   * A slot in every named bucket for one call. Reserved when the wait is at most `maxWaitMs`
   * (the caller then waits `waitMs` and calls); otherwise nothing is reserved and `waitMs` says
   * when the slot would have been.
   */
  acquire(requests: SlotRequest[], maxWaitMs: number): AcquireAnswer {
    const now = Date.now()
    const result = reserve(this.buckets, requests, now, maxWaitMs)
    if (result.reserved) {
      this.buckets = result.buckets
      this.save(now)
    }
    return { reserved: result.reserved, waitMs: Math.max(0, result.at - now) }
  }

  /** What the platform's headers (or a 429) said. */
  observe(observations: Observation[]): void {
    const now = Date.now()
    for (const observation of observations) {
      this.buckets[observation.bucket] = observe(this.buckets[observation.bucket], observation, now)
    }
    this.save(now)
  }

  /** One of at most `max` slots named `name` for `holder`, held for `holdMs`. */
  claimSlot(name: string, holder: string, max: number, holdMs: number): SlotAnswer {
    const now = Date.now()
    const result = claimSlot(this.slots[name] ?? {}, holder, max, now, holdMs)
    this.slots[name] = result.slots
    this.save(now)
    return result.granted ? { granted: true, waitMs: 0 } : { granted: false, waitMs: result.retryAt - now }
  }

  /** Keeps `holder`'s slot until `until` (ms), e.g. the expiry of the session it got. */
  holdSlot(name: string, holder: string, until: number): void {
    this.slots[name] = { ...this.slots[name], [holder]: until }
    this.save(Date.now())
  }

  releaseSlot(name: string, holder: string): void {
    const { [holder]: _released, ...rest } = this.slots[name] ?? {}
    this.slots[name] = rest
    this.save(Date.now())
  }

  /** For tests and operators: the state as it is now. */
  snapshot(): Stored {
    return { buckets: this.buckets, slots: this.slots }
  }

  private save(now: number) {
    for (const [name, state] of Object.entries(this.buckets)) if (isIdle(state, now)) delete this.buckets[name]
    for (const [name, holders] of Object.entries(this.slots)) {
      const live = Object.fromEntries(Object.entries(holders).filter(([, until]) => until > now))
      if (Object.keys(live).length) this.slots[name] = live
      else delete this.slots[name]
    }
    void this.ctx.storage.put('state', { buckets: this.buckets, slots: this.slots } satisfies Stored)
  }
}
