/**
 * The arithmetic of pacing, without a runtime: pure functions over plain state that the
 * AccountPacer Durable Object keeps per platform account. Times are milliseconds (Date.now()).
 *
 * - `rate`: a leaky bucket as GCRA. `capacity` calls may be in the bucket, one leaks out every
 *   `intervalMs`. `tat` is the time the bucket would be empty with every reservation made so far,
 *   so a call reserved now for later is counted at once and the next caller waits behind it.
 *   Billbee's "2 per second per endpoint" is capacity 1, one every 500 ms (plus a margin);
 *   Shopify's REST bucket is capacity 40, one every 500 ms.
 *   A slot is counted from the moment its call starts, not from its grant: a call granted with a
 *   ticket waits in `awaitingStart` until it says it started (`callStarted`), and may start at any
 *   moment until then, so it counts as starting now. While such a call could still start within
 *   the interval of the next one, the next grant waits for its start (or for its start window to
 *   end). A caller delayed after its grant (a busy isolate, a late answer) thus pushes the calls
 *   after it back instead of starting within the interval of one of them.
 * - `quota`: a window of calls the platform counts for us and reports in headers (plenty's
 *   `X-Plenty-*-Calls-Left` / `-Decay`, Wemalo's `x-wemalo-limit-remainingcall`): `left` calls
 *   until `resetAt`, then a fresh window of `limit` calls. Unknown (`null`) until observed.
 * - `slots`: holders of something the platform allows only N of at once (plenty's 3 back-end
 *   sessions), each held until it expires or is released.
 *
 * Observations only ever make the state stricter than it was (a fuller bucket, fewer calls
 * left, a later reset): answers arrive out of order and may predate reservations made since.
 */

export type RateLimit = { kind: 'rate'; capacity: number; intervalMs: number }
export type QuotaLimit = { kind: 'quota' }
export type Limit = RateLimit | QuotaLimit

/** A call granted in a rate bucket that has not yet said it started. */
export type AwaitingStart = { cost: number; until: number }
export type RateState = RateLimit & { tat: number; awaitingStart?: Record<string, AwaitingStart> }
export type QuotaState = QuotaLimit & {
  left: number | null
  limit: number | null
  /** A window reserved ahead starts here; no call of it may start earlier. */
  startAt: number
  resetAt: number
  /** How long a window lasts: the longest reset time the platform reported (1 s until then). */
  windowMs: number
}
export type BucketState = RateState | QuotaState

/** One bucket a call needs a slot in, with what the call costs there (1 for a request). */
export type SlotRequest = { bucket: string; cost?: number; limit: Limit }

export type Observation =
  /** The platform's own fill level, e.g. Shopify's `X-Shopify-Shop-Api-Call-Limit: 32/40`. */
  | { bucket: string; kind: 'level'; used: number; capacity?: number; limit: RateLimit }
  /** Calls left in the platform's window and when it resets. */
  | { bucket: string; kind: 'quota'; left: number; limit?: number | null; resetInMs: number }
  /** The platform refused (429, 419): nothing more until `forMs` have passed. */
  | { bucket: string; kind: 'pause'; forMs: number; limit: Limit }

export const DEFAULT_WINDOW_MS = 1000
/**
 * How long after its slot a granted call may start and say so. A call that has not said so by
 * then counts as started at the window's end: a caller that died keeps the bucket no longer.
 */
export const START_WINDOW_MS = 2000

export function newBucket(limit: Limit): BucketState {
  return limit.kind === 'rate'
    ? { ...limit, tat: 0 }
    : { kind: 'quota', left: null, limit: null, startAt: 0, resetAt: 0, windowMs: DEFAULT_WINDOW_MS }
}

/** A rate bucket takes a changed limit (e.g. a bigger Shopify plan) and keeps its reservations. */
function withLimit(state: BucketState | undefined, limit: Limit): BucketState {
  if (!state || state.kind !== limit.kind) return newBucket(limit)
  if (limit.kind === 'rate' && state.kind === 'rate' && state.intervalMs !== limit.intervalMs) {
    return { ...state, intervalMs: limit.intervalMs }
  }
  return state
}

/** The cost of the calls granted in a rate bucket that have not said they started yet. */
function costAwaitingStart(state: RateState): number {
  return Object.values(state.awaitingStart ?? {}).reduce((sum, call) => sum + call.cost, 0)
}

/** A rate bucket whose calls that never said they started count as started when their window ended. */
function settle(state: RateState, now: number): RateState {
  const calls = Object.entries(state.awaitingStart ?? {})
  if (!calls.some(([, call]) => call.until <= now)) return state
  let tat = state.tat
  const awaitingStart: Record<string, AwaitingStart> = {}
  for (const [ticket, call] of calls) {
    if (call.until <= now) tat = Math.max(tat, call.until + call.cost * state.intervalMs)
    else awaitingStart[ticket] = call
  }
  return { ...state, tat, awaitingStart }
}

/** The earliest time a call costing `cost` may start in this bucket. */
export function earliest(state: BucketState, cost: number, now: number): number {
  if (state.kind === 'rate') {
    const room = Math.max(0, state.capacity - Math.min(cost, state.capacity))
    // Granted calls not yet started may start any moment from now: as full as if they start now.
    const tat = Math.max(state.tat, now + costAwaitingStart(state) * state.intervalMs)
    return Math.max(now, tat - room * state.intervalMs)
  }
  const start = Math.max(now, state.startAt)
  if (start >= state.resetAt) return start
  if (state.left === null || state.left >= cost) return start
  return state.resetAt
}

/**
 * Whether the next call must wait for a granted call to start before its own slot can be known:
 * one has not said it started and could still start within this call's interval.
 */
function waitsForStart(state: BucketState, cost: number, now: number): boolean {
  return state.kind === 'rate' && costAwaitingStart(state) > 0 && earliest(state, cost, now) > now
}

/**
 * Reserves a call costing `cost` that starts at `at` (never before `earliest`). With a `ticket`
 * the call is counted from its start (`started`), at the latest from the end of its start window;
 * without one, from `at`.
 */
export function commit(state: BucketState, cost: number, at: number, ticket?: string): BucketState {
  if (state.kind === 'rate') {
    const tat = Math.max(state.tat, at) + cost * state.intervalMs
    if (!ticket) return { ...state, tat }
    return { ...state, tat, awaitingStart: { ...state.awaitingStart, [ticket]: { cost, until: at + START_WINDOW_MS } } }
  }
  let next = state
  if (at >= next.resetAt) {
    // The window passed: the call opens a fresh one (of unknown size until the platform says).
    next = { ...next, startAt: at, resetAt: at + next.windowMs, left: next.limit }
  }
  return { ...next, left: next.left === null ? null : next.left - cost }
}

export type Buckets = Record<string, BucketState>

export type Reservation =
  | { reserved: true; buckets: Buckets; at: number }
  /** `at`: when the slot would be (at the earliest). `waitForStartUntil`: a granted call has to start first; ask again when it says so, at the latest then. */
  | { reserved: false; buckets: Buckets; at: number; waitForStartUntil?: number }

/**
 * One slot in every bucket a call needs, all at the same time: the latest of their earliest
 * times. When that is more than `maxWaitMs` away nothing is reserved, and the caller hears when
 * to come back instead. When a granted call has yet to start within the interval, nothing is
 * reserved either: the caller asks again once it started (`waitForStartUntil`). With a `ticket`
 * the reserved call counts from its start (see `commit`).
 */
export function reserve(
  buckets: Buckets,
  requests: SlotRequest[],
  now: number,
  maxWaitMs: number,
  ticket?: string
): Reservation {
  const current: Buckets = {}
  let at = now
  let waitForStartUntil = Number.POSITIVE_INFINITY
  for (const request of requests) {
    let state = withLimit(current[request.bucket] ?? buckets[request.bucket], request.limit)
    if (state.kind === 'rate') state = settle(state, now)
    current[request.bucket] = state
    const cost = request.cost ?? 1
    at = Math.max(at, earliest(state, cost, now))
    if (state.kind === 'rate' && waitsForStart(state, cost, now)) {
      const untils = Object.values(state.awaitingStart ?? {}).map((call) => call.until)
      waitForStartUntil = Math.min(waitForStartUntil, ...untils)
    }
  }
  if (at - now > maxWaitMs) return { buckets, at, reserved: false }
  if (waitForStartUntil < Number.POSITIVE_INFINITY) return { buckets, at, reserved: false, waitForStartUntil }
  const next = { ...buckets, ...current }
  for (const request of requests) next[request.bucket] = commit(next[request.bucket], request.cost ?? 1, at, ticket)
  return { buckets: next, at, reserved: true }
}

/**
 * The call granted with `ticket` started now: each rate bucket counts it from now (however late
 * that is after its slot), and the next call waits for its interval from here.
 */
export function callStarted(buckets: Buckets, ticket: string, now: number): Buckets {
  const next: Buckets = { ...buckets }
  for (const [name, state] of Object.entries(buckets)) {
    if (state.kind !== 'rate' || !state.awaitingStart?.[ticket]) continue
    const { [ticket]: call, ...awaitingStart } = state.awaitingStart
    next[name] = { ...state, tat: Math.max(state.tat, now + call.cost * state.intervalMs), awaitingStart }
  }
  return next
}

/** What a platform's answer says, applied to the bucket it is about. */
export function observe(state: BucketState | undefined, observation: Observation, now: number): BucketState {
  if (observation.kind === 'level') {
    const base = withLimit(state, observation.limit) as RateState
    const capacity = observation.capacity && observation.capacity > 0 ? observation.capacity : base.capacity
    return { ...base, capacity, tat: Math.max(base.tat, now + observation.used * base.intervalMs) }
  }
  if (observation.kind === 'pause') {
    const base = withLimit(state, observation.limit)
    const until = now + Math.max(0, observation.forMs)
    if (base.kind === 'rate') {
      // The bucket is full until `until`: the next call may start then, one more per interval after.
      return { ...base, tat: Math.max(base.tat, until + (base.capacity - 1) * base.intervalMs) }
    }
    return { ...base, left: 0, resetAt: Math.max(base.resetAt, until) }
  }
  const base = (state?.kind === 'quota' ? state : newBucket({ kind: 'quota' })) as QuotaState
  const resetAt = now + Math.max(0, observation.resetInMs)
  const windowMs = Math.max(base.windowMs, observation.resetInMs)
  const limit = observation.limit ?? base.limit
  if (base.left === null || now >= base.resetAt) {
    return { ...base, left: observation.left, limit, resetAt: Math.max(base.resetAt, resetAt), windowMs }
  }
  return {
    ...base,
    left: Math.min(base.left, observation.left),
    limit,
    resetAt: Math.max(base.resetAt, resetAt),
    windowMs,
  }
}

/** Buckets with nothing reserved or known that still matters: they need not be kept. */
export function isIdle(state: BucketState, now: number, graceMs = 60_000): boolean {
  if (state.kind === 'quota') return state.resetAt < now - graceMs
  const untils = Object.values(state.awaitingStart ?? {}).map((call) => call.until)
  return Math.max(state.tat, ...untils) < now - graceMs
}

// ---- slots (at most N holders at once) ----

/** Holder → until when it holds its slot. */
export type Slots = Record<string, number>

/**
 * A slot for `holder` (kept if it has one already) until `now + holdMs`, or, when all `max` are
 * held by others, the time the first of theirs expires.
 */
export function claimSlot(
  slots: Slots,
  holder: string,
  max: number,
  now: number,
  holdMs: number
): { slots: Slots; granted: true } | { slots: Slots; granted: false; retryAt: number } {
  const live: Slots = Object.fromEntries(Object.entries(slots).filter(([, until]) => until > now))
  if (holder in live || Object.keys(live).length < max) {
    return { slots: { ...live, [holder]: Math.max(live[holder] ?? 0, now + holdMs) }, granted: true }
  }
  return { slots: live, granted: false, retryAt: Math.min(...Object.values(live)) }
}
