/**
 * ENCRYPTION_KEY rotation (issue 10): every ciphertext names its key; ENCRYPTION_KEYS (newest
 * first) opens old ones and seals new ones with the newest; the cron and
 * POST /api/v1/admin/re-encrypt move every row to the newest key, after which the old key can go.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  base64ToBytes,
  bytesToBase64,
  decryptJson,
  encryptJson,
  keyId,
  keyringOf,
  newestKeyPrefix,
} from '../../src/core/crypto'
import { database } from '../../src/db/client'
import { loadConnection, readSessionState, writeSessionState } from '../../src/db/connections'
import worker from '../../src/index'
import { ADMIN_TOKEN, apiJson, createConnection, createTenant, KONTOR } from '../helpers'
import { simulatedShop, WEBHOOK_SECRET } from '../e2e/shopify-support'

const KEY_A = env.ENCRYPTION_KEY
const KEY_B = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))

const onlyA = keyringOf({ ENCRYPTION_KEY: KEY_A })
const rotated = keyringOf({ ENCRYPTION_KEY: KEY_A, ENCRYPTION_KEYS: `${KEY_B}, ${KEY_A}` })
const onlyB = keyringOf({ ENCRYPTION_KEY: KEY_A, ENCRYPTION_KEYS: KEY_B })

/** A ciphertext as Kontor wrote them before key ids: `v1.<iv>.<ciphertext>`. */
async function legacySeal(base64Key: string, value: unknown): Promise<string> {
  const key = await crypto.subtle.importKey('raw', base64ToBytes(base64Key), 'AES-GCM', false, ['encrypt'])
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key,
    new TextEncoder().encode(JSON.stringify(value))
  )
  return `v1.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(sealed))}`
}

async function runCronWith(overrides: Partial<Env>) {
  const controller = createScheduledController({ scheduledTime: new Date(), cron: '* * * * *' })
  const context = createExecutionContext()
  await worker.scheduled(controller, { ...env, ...overrides }, context)
  await waitOnExecutionContext(context)
}

async function fetchWith(overrides: Partial<Env>, path: string, init: RequestInit) {
  const context = createExecutionContext()
  const response = await worker.fetch(
    new Request(`${KONTOR}${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...overrides },
    context
  )
  await waitOnExecutionContext(context)
  return response
}

async function sealedColumns(connectionIds: string[], endpointId: string) {
  const rows = await Promise.all(
    connectionIds.map((id) =>
      env.DB.prepare('select credentials, session_state from connections where id = ?')
        .bind(id)
        .first<{ credentials: string; session_state: string | null }>()
    )
  )
  const endpoint = await env.DB.prepare('select secret from webhook_endpoints where id = ?')
    .bind(endpointId)
    .first<{ secret: string }>()
  return [...rows.flatMap((row) => [row!.credentials, row!.session_state]), endpoint!.secret].filter(
    (value): value is string => value !== null
  )
}

describe('encryption key rotation', () => {
  it('keyringOf: ENCRYPTION_KEY alone is the ring; ENCRYPTION_KEYS, newest first, replaces it', async () => {
    expect(keyringOf({ ENCRYPTION_KEY: KEY_A }).keys).toEqual([KEY_A])
    expect(rotated.keys).toEqual([KEY_B, KEY_A])
    const sealed = await encryptJson(rotated, { a: 1 })
    expect(sealed.startsWith(`v2.${await keyId(KEY_B)}.`)).toBe(true)
    expect(await decryptJson(onlyB, sealed)).toEqual({ a: 1 })
    await expect(decryptJson(onlyA, sealed)).rejects.toThrow(/not among the configured ENCRYPTION_KEYS/)
    // A ciphertext from before key ids is opened by whichever key of the ring fits.
    expect(await decryptJson(rotated, await legacySeal(KEY_A, 'old'))).toBe('old')
  })

  it('encrypt with A, rotate to [B, A], read everything, re-encrypt (cron, then the admin route), drop A, read everything', async () => {
    const db = database(env.DB)
    // Written with A alone, as before the rotation: through the API (credentials, endpoint secret) …
    const tenant = await createTenant()
    const shop = await simulatedShop()
    const credentials = { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET }
    // Two shops: one platform account is one live connection per tenant (issue 16, finding 1).
    const otherShop = await simulatedShop()
    const otherCredentials = { ...credentials, shopDomain: otherShop.shopDomain, accessToken: otherShop.accessToken }
    const first = await createConnection(tenant.token, { platform: 'shopify', credentials })
    const second = await createConnection(tenant.token, { platform: 'shopify', credentials: otherCredentials })
    const endpoint = await apiJson<{ id: string; secret: string }>('/api/v1/webhook-endpoints', {
      token: tenant.token,
      body: { url: 'https://rotation.hooks.test/in', events: ['*'] },
    })
    await writeSessionState(db, onlyA, first.id, { token: 'session-1' })
    // … and one session state and one credentials row still in the v1 format (no key id).
    await env.DB.prepare('update connections set session_state = ?, credentials = ? where id = ?')
      .bind(await legacySeal(KEY_A, { token: 'session-2' }), await legacySeal(KEY_A, otherCredentials), second.id)
      .run()

    async function readEverything(ring: typeof onlyA) {
      for (const [id, expected] of [
        [first.id, credentials],
        [second.id, otherCredentials],
      ] as const) {
        expect((await loadConnection(db, ring, id))?.credentials).toEqual(expected)
      }
      expect(await readSessionState(db, ring, first.id)).toEqual({ token: 'session-1' })
      expect(await readSessionState(db, ring, second.id)).toEqual({ token: 'session-2' })
      const row = await env.DB.prepare('select secret from webhook_endpoints where id = ?')
        .bind(endpoint.id)
        .first<{ secret: string }>()
      expect(await decryptJson(ring, row!.secret)).toBe(endpoint.secret)
    }

    // Rotated: both keys open everything.
    await readEverything(rotated)
    await expect(loadConnection(db, onlyB, first.id)).rejects.toThrow()

    // The cron moves a bounded batch per tick; here that is everything.
    await runCronWith({ ENCRYPTION_KEYS: `${KEY_B},${KEY_A}` })
    const prefixB = await newestKeyPrefix(rotated)
    const moved = await sealedColumns([first.id, second.id], endpoint.id)
    expect(moved).toHaveLength(5)
    for (const sealed of moved) expect(sealed.startsWith(prefixB)).toBe(true)

    // The operator's route reports what is left (nothing of these rows), and refuses tenants.
    const init = { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }
    const answer = await fetchWith({ ENCRYPTION_KEYS: `${KEY_B},${KEY_A}` }, '/api/v1/admin/re-encrypt', init)
    expect(answer.status).toBe(200)
    const counts = (await answer.json()) as Record<string, Record<string, number>>
    expect(counts.remaining).toEqual({ credentials: 0, sessionState: 0, webhookSecrets: 0, previousWebhookSecrets: 0 })
    expect(counts.failed).toEqual({ credentials: 0, sessionState: 0, webhookSecrets: 0, previousWebhookSecrets: 0 })
    const refused = await fetchWith({ ENCRYPTION_KEYS: `${KEY_B},${KEY_A}` }, '/api/v1/admin/re-encrypt', {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}` },
    })
    expect(refused.status).toBe(403)

    // A dropped: B alone opens everything, A nothing.
    await readEverything(onlyB)
    await expect(loadConnection(db, onlyA, first.id)).rejects.toThrow()
    // And the Worker runs on B alone: the connection reads (GET) and a new write is sealed with B.
    const read = await fetchWith({ ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEYS: '' }, `/api/v1/connections/${first.id}`, {
      headers: { authorization: `Bearer ${tenant.token}` },
    })
    expect(read.status).toBe(200)
  })

  it('the admin route moves rows sealed with an older key and counts them', async () => {
    const db = database(env.DB)
    const tenant = await createTenant()
    const shop = await simulatedShop()
    const connection = await createConnection(tenant.token, {
      platform: 'shopify',
      credentials: { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: WEBHOOK_SECRET },
    })
    const keyC = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))
    // The previous test left its rows on B: a ring of every key still in use.
    const answer = await fetchWith({ ENCRYPTION_KEYS: `${keyC},${KEY_B},${KEY_A}` }, '/api/v1/admin/re-encrypt', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const counts = (await answer.json()) as Record<string, Record<string, number>>
    expect(counts.reEncrypted.credentials).toBeGreaterThanOrEqual(3)
    expect(counts.remaining).toEqual({ credentials: 0, sessionState: 0, webhookSecrets: 0, previousWebhookSecrets: 0 })
    const ringC = keyringOf({ ENCRYPTION_KEYS: keyC })
    expect((await loadConnection(db, ringC, connection.id))?.credentials.shopDomain).toBe(shop.shopDomain)

    // Back to A, the key the rest of this Worker's tests (and its queue consumers) run with.
    const back = await fetchWith({ ENCRYPTION_KEYS: `${KEY_A},${keyC}` }, '/api/v1/admin/re-encrypt', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(((await back.json()) as any).remaining.credentials).toBe(0)
  })
})
