/** The pacing arithmetic (src/pacing/buckets.ts): pure functions, fixed clocks, no runtime. */
import { describe, expect, it } from 'vitest'
import {
  type Buckets,
  callStarted,
  claimSlot,
  commit,
  earliest,
  newBucket,
  observe,
  type QuotaState,
  type RateLimit,
  reserve,
  type SlotRequest,
  START_WINDOW_MS,
} from '../../src/pacing/buckets'

const billbeeEndpoint: RateLimit = { kind: 'rate', capacity: 1, intervalMs: 500 }
const billbeeAccount: RateLimit = { kind: 'rate', capacity: 1, intervalMs: 100 }
const shopify: RateLimit = { kind: 'rate', capacity: 40, intervalMs: 500 }

/** Start times of `count` calls reserved one after another, all asked for at `now`. */
function schedule(requests: SlotRequest[], count: number, now = 1_000_000, buckets: Buckets = {}) {
  const starts: number[] = []
  for (let i = 0; i < count; i++) {
    const result = reserve(buckets, requests, now, Number.POSITIVE_INFINITY)
    buckets = result.buckets
    starts.push(result.at - now)
  }
  return { starts, buckets }
}

/** The most calls that start within any `windowMs` (a sliding window, as Billbee counts). */
function mostInWindow(starts: number[], windowMs: number) {
  return Math.max(...starts.map((start) => starts.filter((other) => other >= start && other < start + windowMs).length))
}

describe('rate buckets (leaky bucket as GCRA)', () => {
  it('capacity 1, one every 500 ms: 2 calls per second, never more in any second', () => {
    const { starts } = schedule([{ bucket: 'e', limit: billbeeEndpoint }], 6)
    expect(starts).toEqual([0, 500, 1000, 1500, 2000, 2500])
    expect(mostInWindow(starts, 1000)).toBe(2)
  })

  it('a call waits for the slowest of its buckets, and is counted in all of them', () => {
    const account: SlotRequest = { bucket: 'account', limit: billbeeAccount }
    const one = (endpoint: string): SlotRequest[] => [account, { bucket: endpoint, limit: billbeeEndpoint }]
    let buckets: Buckets = {}
    const starts: number[] = []
    for (const endpoint of ['a', 'b', 'c', 'a', 'd']) {
      const result = reserve(buckets, one(endpoint), 0, Number.POSITIVE_INFINITY)
      buckets = result.buckets
      starts.push(result.at)
    }
    // Different endpoints share the account's 10 per second; the second `a` waits for `a`.
    expect(starts).toEqual([0, 100, 200, 500, 600])
  })

  it("Shopify's bucket: 40 at once, then one every 500 ms", () => {
    const { starts } = schedule([{ bucket: 'rest', limit: shopify }], 43)
    expect(starts.slice(0, 40).every((start) => start === 0)).toBe(true)
    expect(starts.slice(40)).toEqual([500, 1000, 1500])
  })

  it('the bucket leaks while nobody calls', () => {
    const state = commit(newBucket(billbeeEndpoint), 1, 0)
    expect(earliest(state, 1, 100)).toBe(500)
    expect(earliest(state, 1, 800)).toBe(800)
  })

  it("the platform's level fills the shared bucket, never empties it", () => {
    const now = 10_000
    const full = observe(
      newBucket(shopify),
      { bucket: 'rest', kind: 'level', used: 40, capacity: 40, limit: shopify },
      now
    )
    expect(earliest(full, 1, now)).toBe(now + 500)
    const stale = observe(full, { bucket: 'rest', kind: 'level', used: 3, capacity: 40, limit: shopify }, now)
    expect(earliest(stale, 1, now)).toBe(now + 500)
    // A bigger plan says 2/80: the bucket takes its size.
    const plus = observe(
      newBucket(shopify),
      { bucket: 'rest', kind: 'level', used: 2, capacity: 80, limit: shopify },
      now
    )
    expect(plus).toMatchObject({ capacity: 80 })
  })

  it('a 429 pauses the bucket until Retry-After, then one call per interval', () => {
    const now = 5_000
    const paused = observe(newBucket(shopify), { bucket: 'rest', kind: 'pause', forMs: 2000, limit: shopify }, now)
    expect(earliest(paused, 1, now)).toBe(now + 2000)
    const after = commit(paused, 1, now + 2000)
    expect(earliest(after, 1, now)).toBe(now + 2500)
  })

  it('a slot further away than the longest wait is not reserved', () => {
    const requests: SlotRequest[] = [{ bucket: 'e', limit: billbeeEndpoint }]
    const first = reserve({}, requests, 0, 1000)
    const second = reserve(first.buckets, requests, 0, 400)
    expect(second).toMatchObject({ reserved: false, at: 500 })
    expect(second.buckets).toBe(first.buckets)
    expect(reserve(first.buckets, requests, 0, 500)).toMatchObject({ reserved: true, at: 500 })
  })
})

describe("rate buckets count a slot from its call's start", () => {
  const endpoint: SlotRequest[] = [{ bucket: 'e', limit: billbeeEndpoint }]

  it('a call that starts late pushes the next one back: no two starts closer than the interval', () => {
    const first = reserve({}, endpoint, 0, Infinity, 'first')
    expect(first).toMatchObject({ reserved: true, at: 0 })
    // The first caller is held up; the second asks at 100 and must wait for the first start.
    const asked = reserve(first.buckets, endpoint, 100, Infinity, 'second')
    expect(asked).toMatchObject({ reserved: false, waitForStartUntil: START_WINDOW_MS })
    const afterStart = callStarted(first.buckets, 'first', 400)
    expect(reserve(afterStart, endpoint, 400, Infinity, 'second')).toMatchObject({ reserved: true, at: 900 })
  })

  it('a call granted after the last slot passed still waits for a granted call that has not started', () => {
    const first = reserve({}, endpoint, 0, Infinity, 'first')
    // 700 ms later the first slot's interval is over, but its call has not started: it may start now.
    expect(reserve(first.buckets, endpoint, 700, Infinity, 'second')).toMatchObject({ reserved: false, at: 1200 })
  })

  it('a call that never says it started counts as started when its start window ends', () => {
    const first = reserve({}, endpoint, 0, Infinity, 'first')
    expect(reserve(first.buckets, endpoint, START_WINDOW_MS, Infinity, 'second')).toMatchObject({
      reserved: true,
      at: START_WINDOW_MS + 500,
    })
  })

  it('a call that starts on time leaves the next slot where it was', () => {
    const first = reserve({}, endpoint, 0, Infinity, 'first')
    expect(reserve(callStarted(first.buckets, 'first', 0), endpoint, 0, Infinity, 'second')).toMatchObject({
      reserved: true,
      at: 500,
    })
  })

  it("Shopify's bucket still grants 40 at once before any of them started", () => {
    let buckets: Buckets = {}
    const grants: number[] = []
    for (let call = 0; call < 41; call++) {
      const result = reserve(buckets, [{ bucket: 'rest', limit: shopify }], 0, Infinity, `call-${call}`)
      if (result.reserved) {
        buckets = result.buckets
        grants.push(result.at)
      }
    }
    expect(grants).toHaveLength(40)
    expect(grants.every((at) => at === 0)).toBe(true)
  })
})

describe('quota buckets (calls left in the platform window)', () => {
  const quota: SlotRequest[] = [{ bucket: 'short', limit: { kind: 'quota' } }]

  it('unknown until the platform reports; then counts down and waits for the reset', () => {
    let buckets: Buckets = { short: newBucket({ kind: 'quota' }) }
    expect(reserve(buckets, quota, 0, Infinity).at).toBe(0)
    buckets = {
      short: observe(buckets.short, { bucket: 'short', kind: 'quota', left: 2, limit: 5, resetInMs: 1000 }, 0),
    }
    const { starts, buckets: after } = schedule(quota, 4, 0, buckets)
    // Two left in this window; the third opens the next window (5 calls), the fourth is in it.
    expect(starts).toEqual([0, 0, 1000, 1000])
    expect(after.short).toMatchObject({ left: 3, startAt: 1000, resetAt: 2000 })
  })

  it('a later answer never raises the calls left within the window, and never brings the reset closer', () => {
    const start = observe(undefined, { bucket: 'q', kind: 'quota', left: 1, limit: 40, resetInMs: 1000 }, 0)
    const stale = observe(start, { bucket: 'q', kind: 'quota', left: 30, limit: 40, resetInMs: 200 }, 100)
    expect(stale).toMatchObject({ left: 1, resetAt: 1000 })
    // After the window an answer is taken as it is.
    const fresh = observe(stale, { bucket: 'q', kind: 'quota', left: 30, limit: 40, resetInMs: 900 }, 1100)
    expect(fresh).toMatchObject({ left: 30, resetAt: 2000 })
  })

  it('a 419 / 429 leaves no call until the pause is over', () => {
    const paused = observe(undefined, { bucket: 'q', kind: 'pause', forMs: 10_000, limit: { kind: 'quota' } }, 0)
    expect(earliest(paused, 1, 0)).toBe(10_000)
    expect((commit(paused, 1, 10_000) as QuotaState).left).toBeNull()
  })
})

describe('slots (at most N holders)', () => {
  it('three sessions: a fourth holder waits for the first to expire; a holder keeps its own', () => {
    let slots = {}
    for (const holder of ['a', 'b', 'c']) {
      const claimed = claimSlot(slots, holder, 3, 0, 1000 + holder.charCodeAt(0))
      expect(claimed.granted).toBe(true)
      slots = claimed.slots
    }
    expect(claimSlot(slots, 'd', 3, 10, 1000)).toMatchObject({ granted: false, retryAt: 1000 + 'a'.charCodeAt(0) })
    expect(claimSlot(slots, 'b', 3, 10, 1000).granted).toBe(true)
    expect(claimSlot(slots, 'd', 3, 2000, 1000).granted).toBe(true)
  })
})
