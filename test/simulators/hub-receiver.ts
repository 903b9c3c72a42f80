/**
 * A tenant's own system receiving Kontor's hub webhooks (HW1): a real HTTP app that records every
 * delivery with its headers and raw body, and answers with the statuses a test lines up (for
 * retries and Retry-After, with an optional body). It answers for any host under `.hooks.test`.
 */
import { Hono } from 'hono'
import type { Simulator } from './simulator'

type Received = { headers: Record<string, string>; body: string; at: string; status: number }
/** `delayMs`: the answer comes that much later (a slow receiver, for races); `body`: what it answers. */
type Receiver = {
  received: Received[]
  answers: { status: number; retryAfter?: string; delayMs?: number; body?: string }[]
}

const receivers = new Map<string, Receiver>()
const receiverOf = (url: string) => {
  const host = new URL(url).host
  if (!receivers.has(host)) receivers.set(host, { received: [], answers: [] })
  return receivers.get(host)!
}

const app = new Hono()
app.post('/_sim/answers', async (c) => {
  receiverOf(c.req.url).answers.push(...(await c.req.json()).answers)
  return c.json({ ok: true })
})
app.get('/_sim/received', (c) => c.json(receiverOf(c.req.url).received))
app.post('*', async (c) => {
  const receiver = receiverOf(c.req.url)
  const answer = receiver.answers.shift() ?? { status: 204 }
  receiver.received.push({
    headers: Object.fromEntries(c.req.raw.headers),
    body: await c.req.text(),
    at: new Date().toISOString(),
    status: answer.status,
  })
  if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
  const headers: Record<string, string> = answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}
  return answer.body === undefined
    ? c.body(null, answer.status as 204, headers)
    : c.body(answer.body, answer.status as 500, headers)
})

export const hubReceiverSimulator: Simulator = {
  name: 'hub receiver',
  handles: (hostname) => hostname.endsWith('.hooks.test'),
  fetch: (request) => app.fetch(request),
}
