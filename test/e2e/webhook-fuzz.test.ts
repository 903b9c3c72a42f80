import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api } from '../helpers'
import { shopifySetup } from './shopify-support'

/** A small deterministic generator, so a failure can be replayed with the same seed. */
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

function fuzzBody(next: () => number): string {
  const kinds = [
    () => '',
    () => '{',
    () => JSON.stringify({ id: Math.floor(next() * 1e20), line_items: 'x' }),
    () => String.fromCharCode(...Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 0xffff))),
    () => '[' + '['.repeat(Math.floor(next() * 5000)),
    () => JSON.stringify({ id: 1, currency: null, created_at: 12 }),
  ]
  return kinds[Math.floor(next() * kinds.length)]()
}

describe('webhook intake under fuzzing', () => {
  it('1,000 fuzzed deliveries: no 5xx, nothing stored or queued without a valid signature', async () => {
    const { shop, connection } = await shopifySetup()
    const next = random(42)
    const statuses = new Map<number, number>()
    for (let round = 0; round < 1000; round += 50) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, index) => {
          const headers: Record<string, string> = {
            'x-shopify-topic': next() > 0.5 ? 'orders/create' : 'nonsense',
            'x-shopify-webhook-id': `f-${round + index}`,
          }
          if (next() > 0.3) headers['x-shopify-hmac-sha256'] = next() > 0.5 ? btoa(String(next())) : '%%%not-base64'
          if (next() > 0.3) headers['x-shopify-shop-domain'] = next() > 0.5 ? shop.shopDomain : 'other.myshopify.com'
          return api(`/webhooks/shopify/${connection.id}`, { method: 'POST', headers, rawBody: fuzzBody(next) })
        })
      )
      for (const response of responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    }
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true)
    expect([...statuses.keys()]).toEqual([401])
    const stored = await env.DB.prepare('select count(*) as n from inbox where connection_id = ?')
      .bind(connection.id)
      .first<{ n: number }>()
    expect(stored!.n).toBe(0)
  })
})
