/**
 * Abuse limits in workerd through Miniflare's rate-limiting binding (issue 18). This project
 * (vitest.config.ts `limits`) runs the wrangler.toml bindings with low limits: 5 API calls a
 * minute per token and per client address, 3 sign-ins a minute per address and per token tried.
 * Each test uses its own addresses and tokens, so the windows of one do not touch another.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SIGN_IN_MS } from '../../src/routes/ui/sign-in'
import { ADMIN_TOKEN, api, KONTOR } from '../helpers'

let addresses = 0
/** A client address no other request of this file used. */
const address = () => `203.0.113.${++addresses}`

/**
 * Miniflare's rate-limit windows are aligned to the wall clock (one per minute): a sequence that
 * crosses a minute boundary starts counting afresh. Each sequence starts with at least 20 s of
 * its window left.
 */
async function startInsideWindow() {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 100))
}

function signIn(token: string, from: string) {
  return (exports as unknown as { default: Fetcher }).default.fetch(
    new Request(`${KONTOR}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: KONTOR, 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': from },
      body: new URLSearchParams({ token }).toString(),
    })
  )
}

describe('rate limits', () => {
  it('the API answers 429 with Retry-After once a token is over its limit, whatever the address', async () => {
    const token = `kt_unknown_${crypto.randomUUID()}`
    await startInsideWindow()
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const response = await api('/api/v1/orders', { token, headers: { 'cf-connecting-ip': address() } })
      statuses.push(response.status)
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe('60')
        expect(((await response.json()) as any).error.code).toBe('rate_limited')
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
  })

  it('the API answers 429 once an address is over its limit, whatever the token', async () => {
    const from = address()
    await startInsideWindow()
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const response = await api('/api/v1/orders', {
        token: `kt_guess_${i}_${crypto.randomUUID()}`,
        headers: { 'cf-connecting-ip': from },
      })
      statuses.push(response.status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    // Another address is not affected.
    const other = await api('/api/v1/orders', { token: 'kt_other', headers: { 'cf-connecting-ip': address() } })
    expect(other.status).toBe(401)
  })

  it('the dashboard sign-in is limited per address and per token tried, answering 429 with Retry-After', async () => {
    const from = address()
    await startInsideWindow()
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await signIn(`kt_wrong_${i}`, from)).status)
    expect(statuses).toEqual([401, 401, 401, 429])
    const limited = await signIn('kt_wrong_again', from)
    expect(limited.headers.get('retry-after')).toBe('60')
    expect(await limited.text()).toContain('Too many sign-in attempts')

    const token = `kt_tried_${crypto.randomUUID()}`
    await startInsideWindow()
    const perToken: number[] = []
    for (let i = 0; i < 4; i++) perToken.push((await signIn(token, address())).status)
    expect(perToken).toEqual([401, 401, 401, 429])
  })

  it('a failed sign-in takes as long as a successful one', async () => {
    const timed = async (token: string) => {
      const started = Date.now()
      const response = await signIn(token, address())
      return { status: response.status, ms: Date.now() - started }
    }
    const wrong = await timed(`kt_wrong_${crypto.randomUUID()}`)
    const right = await timed(ADMIN_TOKEN)
    expect([wrong.status, right.status]).toEqual([401, 303])
    // Both wait out the same fixed time, far above the work of either.
    expect(wrong.ms).toBeGreaterThanOrEqual(SIGN_IN_MS - 5)
    expect(right.ms).toBeGreaterThanOrEqual(SIGN_IN_MS - 5)
  })
})
