/**
 * AccountPacer: one Durable Object per platform account (`idFromName('<platform>:<account>')`),
 * so every isolate and every queue consumer that calls that account asks the same object for
 * its slots. A caller reserves before each call (`acquire`: the DO answers how long to wait, the
 * reservation already counted), and reports what the platform's answer said (`observe`), so the
 * shared state follows the platform's own counters. The arithmetic is in ./buckets.ts.
 *
 * A slot counts from its call's start: the caller says when it started (`started`, with the
 * ticket of its grant), and a caller whose slot depends on that start waits here until it
 * comes (or the start window of the grant ends), then gets its slot counted from there.
 *
 * A Durable Object runs one call at a time, so reservations never race. The state lives in
 * memory and is written to storage after each change (the output gate holds the answer until it
 * is stored), so an evicted or restarted object starts from what it had reserved.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  type Buckets,
  callStarted,
  claimSlot,
  isIdle,
  type Observation,
  observe,
  reserve,
  type SlotRequest,
  type Slots,
} from './buckets'

type Stored = { buckets: Buckets; slots: Record<string, Slots> }

/** Reserved: wait `waitMs`, call, then report `started(ticket)`. Not reserved: the slot would be `waitMs` away. */
export type AcquireAnswer = { reserved: true; waitMs: number; ticket: string } | { reserved: false; waitMs: number }
export type SlotAnswer = { granted: boolean; waitMs: number }

export class AccountPacer extends DurableObject<Env> {
  private buckets: Buckets = {}
  private slots: Record<string, Slots> = {}
  /** Callers of `acquire` waiting for a granted call to start. */
  private readonly waitingForStart = new Set<() => void>()

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
   * (the caller then waits `waitMs`, calls, and reports `started`); otherwise nothing is reserved
   * and `waitMs` says when the slot would have been. While the slot depends on the start of a call
   * granted before, the answer waits for that start (within `maxWaitMs` all told).
   */
  async acquire(requests: SlotRequest[], maxWaitMs: number): Promise<AcquireAnswer> {
    const deadline = Date.now() + maxWaitMs
    for (;;) {
      const now = Date.now()
      const ticket = crypto.randomUUID()
      const result = reserve(this.buckets, requests, now, Math.max(0, deadline - now), ticket)
      if (result.reserved) {
        this.buckets = result.buckets
        this.save(now)
        return { reserved: true, waitMs: Math.max(0, result.at - now), ticket }
      }
      if (result.waitForStartUntil === undefined) return { reserved: false, waitMs: Math.max(0, result.at - now) }
      await this.nextStart(Math.min(result.waitForStartUntil, deadline))
    }
  }

  /** The call granted with `ticket` has started (it is on its way): its slot counts from now. */
  started(ticket: string): void {
    const now = Date.now()
    this.buckets = callStarted(this.buckets, ticket, now)
    this.save(now)
    for (const wake of [...this.waitingForStart]) wake()
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

  /** Resolves when a granted call reports its start, or at `until` (ms) at the latest. */
  private nextStart(until: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.waitingForStart.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, Math.max(0, until - Date.now()))
      this.waitingForStart.add(wake)
    })
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
