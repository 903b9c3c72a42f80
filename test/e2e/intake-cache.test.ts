/**
 * Intake's connection cache (issue 10): a changed webhook secret is accepted at once and a deleted
 * connection answers 404 at once in the isolate that deleted it; another isolate's copy lasts at
 * most INTAKE_CACHE_MS. The secret change and the deletion below are written to D1 directly, as
 * another isolate (or an operator) would, so the cache of this isolate is not told.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { encryptJson, keyringOf } from '../../src/core/crypto'
import { database } from '../../src/db/client'
import { INTAKE_CACHE_MS, loadConnectionForIntake } from '../../src/db/connections'
import { api } from '../helpers'
import { deliverWebhook, orderJson, shopifySetup, WEBHOOK_SECRET } from './shopify-support'

describe('intake connection cache', () => {
  it('a webhook secret changed elsewhere is accepted at once, and the old one refused', async () => {
    const { shop, connection } = await shopifySetup()
    // This delivery puts the connection into this isolate's cache.
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson())).status).toBe(202)

    const credentials = { shopDomain: shop.shopDomain, accessToken: shop.accessToken, webhookSecret: 'rotated-secret' }
    await env.DB.prepare('update connections set credentials = ? where id = ?')
      .bind(await encryptJson(keyringOf(env), credentials), connection.id)
      .run()

    const rotated = await deliverWebhook(connection.id, shop.shopDomain, orderJson(), { secret: 'rotated-secret' })
    expect(rotated.status).toBe(202)
    const old = await deliverWebhook(connection.id, shop.shopDomain, orderJson(), { secret: WEBHOOK_SECRET })
    expect(old.status).toBe(401)
  })

  it('a connection deleted through the API answers 404 at once', async () => {
    const { shop, tenant, connection } = await shopifySetup()
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson())).status).toBe(202)
    expect((await api(`/api/v1/connections/${connection.id}`, { method: 'DELETE', token: tenant.token })).status).toBe(
      204
    )
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson())).status).toBe(404)
  })

  it('a connection deleted elsewhere answers 404 at once to a bad signature, and to every delivery after the window', async () => {
    const { shop, connection } = await shopifySetup()
    const db = database(env.DB)
    const ring = keyringOf(env)
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson())).status).toBe(202)
    const cachedAt = Date.now()
    expect(await loadConnectionForIntake(db, ring, connection.id, { now: cachedAt })).not.toBeNull()
    await env.DB.prepare('update connections set deleted_at = ? where id = ?')
      .bind(new Date().toISOString(), connection.id)
      .run()

    // A signature that fails is checked against D1 before it is refused: the connection is gone.
    const forged = await deliverWebhook(connection.id, shop.shopDomain, orderJson(), { secret: 'guess' })
    expect(forged.status).toBe(404)
    // Nothing cached stays beyond the window (3 s, not the 30 s it used to be).
    expect(INTAKE_CACHE_MS).toBeLessThanOrEqual(5_000)
    expect(await loadConnectionForIntake(db, ring, connection.id, { now: Date.now() + INTAKE_CACHE_MS + 1 })).toBeNull()
    expect((await deliverWebhook(connection.id, shop.shopDomain, orderJson())).status).toBe(404)
  })
})
