/**
 * The platform clients' side of pacing: a handle on the AccountPacer Durable Object of one
 * platform account, and `pacedRequest`, which runs one HTTP call under it (slot first, then the
 * call and the report that it started, then what the answer said; a 429 pauses the account for
 * every caller and is tried again here, through the pacer, not behind its back).
 *
 * The object is named `<platform>:<account>`. An account that is identified by a secret (a
 * Billbee API key, a Wemalo token) is named by its SHA-256, never in clear.
 */
import { RetryableError } from '../core/errors'
import { type HttpResponse, parseRetryAfter } from '../core/http-client'
import type { AccountPacer } from './account-pacer'
import type { Limit, Observation, SlotRequest } from './buckets'

export type { Limit, Observation, RateLimit, SlotRequest } from './buckets'

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve())

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The Durable Object name of an account: `parts` joined, hashed when they hold a secret. */
export async function pacerName(platform: string, parts: string[], options: { secret: boolean }): Promise<string> {
  const account = parts.join('\n')
  return `${platform}:${options.secret ? await sha256Hex(account) : account}`
}

/** A slot the pacer granted; `started()` once the call is on its way. */
export type GrantedSlot = { started(): Promise<void> }

export class Pacer {
  constructor(
    readonly name: string,
    private readonly stub: DurableObjectStub<AccountPacer>
  ) {}

  /**
   * Waits for a slot in every bucket of `requests`; the call then starts and says so with
   * `started()` (its slot counts from there). When the slot is more than `maxWaitMs` away,
   * nothing is reserved and a RetryableError hands the work back to the queue until then.
   */
  async acquire(requests: SlotRequest[], options: { maxWaitMs: number; label: string }): Promise<GrantedSlot> {
    const answer = await this.stub.acquire(requests, options.maxWaitMs)
    if (!answer.reserved) {
      throw new RetryableError(
        `${options.label}: call limit reached, next slot in ${Math.ceil(answer.waitMs / 1000)} s`,
        Math.max(1, Math.ceil(answer.waitMs / 1000))
      )
    }
    await sleep(answer.waitMs)
    return { started: () => this.stub.started(answer.ticket) }
  }

  async observe(observations: Observation[]): Promise<void> {
    if (observations.length) await this.stub.observe(observations)
  }

  /** Waits (up to `maxWaitMs`) for one of `max` slots named `name`; else a RetryableError. */
  async claimSlot(
    name: string,
    holder: string,
    options: { max: number; holdMs: number; maxWaitMs: number; label: string }
  ): Promise<void> {
    const deadline = Date.now() + options.maxWaitMs
    for (;;) {
      const answer = await this.stub.claimSlot(name, holder, options.max, options.holdMs)
      if (answer.granted) return
      if (Date.now() + answer.waitMs > deadline) {
        throw new RetryableError(
          `${options.label}: all ${options.max} ${name} are in use`,
          Math.max(1, Math.ceil(answer.waitMs / 1000))
        )
      }
      await sleep(answer.waitMs)
    }
  }

  async holdSlot(name: string, holder: string, until: number): Promise<void> {
    await this.stub.holdSlot(name, holder, until)
  }

  async releaseSlot(name: string, holder: string): Promise<void> {
    await this.stub.releaseSlot(name, holder)
  }
}

/** The pacer of one platform account, on the AccountPacer namespace the caller holds (the PACER binding). */
export async function accountPacer(
  namespace: DurableObjectNamespace<AccountPacer> | undefined,
  platform: string,
  parts: string[],
  options: { secret: boolean }
): Promise<Pacer> {
  if (!namespace) throw new Error('the PACER Durable Object binding is missing (wrangler.toml)')
  const name = await pacerName(platform, parts, options)
  return new Pacer(name, namespace.get(namespace.idFromName(name)))
}

/** Calls tried per request when the platform answers 429 (the first one included). */
export const PACED_ATTEMPTS = 3

/**
 * One platform call under the pacer: a slot in `slots`, the call, then `observe(response)`.
 * A 429 (unless the caller accepts it) pauses `pauseBuckets` for its Retry-After (1 s without
 * one) for every caller of this account, and the call is tried again once the pacer allows it
 * (at most PACED_ATTEMPTS calls); after that, or when the pause is too long to wait out, the
 * RetryableError carries the Retry-After to the queue.
 */
export async function pacedRequest(options: {
  pacer: Pacer
  label: string
  slots: SlotRequest[]
  maxWaitMs: number
  /** Runs the call; it must accept 429 (pass `accept: [..., 429]`) so the answer comes back here. */
  send: () => Promise<HttpResponse>
  observe?: (response: HttpResponse) => Observation[]
  /** Buckets a 429 pauses, with their limits; by default every bucket of `slots`. */
  pauseBuckets?: { bucket: string; limit: Limit }[]
  /** The caller handles 429 itself. */
  callerAccepts429?: boolean
}): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt++) {
    const slot = await options.pacer.acquire(options.slots, { maxWaitMs: options.maxWaitMs, label: options.label })
    // The request leaves in this turn, before the pacer can hear of its start. A report that does
    // not arrive only keeps the slot until its start window ends; the answer is not lost for it.
    const [response] = await Promise.all([options.send(), slot.started().catch(() => undefined)])
    const observations = options.observe?.(response) ?? []
    const limited = response.status === 429 && !options.callerAccepts429
    const retryAfter = limited ? parseRetryAfter(response.headers.get('retry-after')) : undefined
    if (limited) {
      const forMs = (retryAfter ?? 1) * 1000
      for (const { bucket, limit } of options.pauseBuckets ?? options.slots) {
        observations.push({ bucket, kind: 'pause', forMs, limit })
      }
    }
    await options.pacer.observe(observations)
    if (!limited) return response
    if (attempt >= PACED_ATTEMPTS) throw new RetryableError(`${options.label} answered 429`, retryAfter)
  }
}
