/**
 * The audit trail (issue 18): connections created, changed, re-routed and deleted, dead-letter
 * replays and the operator's re-encryption each leave one row naming who did it — and no secret.
 * The rows are written in the same D1 batch as the change (src/audit/audit-log.ts).
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, api, apiJson } from '../helpers'
import { shopifySetup, WEBHOOK_SECRET } from '../e2e/shopify-support'

describe('audit log', () => {
  it('records connection changes and replays with who did them, and never a credential', async () => {
    const { tenant, connection, shop } = await shopifySetup()
    const [admin] = (await apiJson('/api/v1/tokens', { token: tenant.token })).items
    await apiJson(`/api/v1/connections/${connection.id}`, {
      method: 'PATCH',
      token: tenant.token,
      body: { name: 'Renamed shop', credentials: { accessToken: 'shpat_rotated_secret_value' } },
    })
    await apiJson(`/api/v1/connections/${connection.id}`, {
      method: 'PATCH',
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': tenant.id },
      body: { routes: [] },
    })
    const deadLetterId = `dl_audit_${crypto.randomUUID().slice(0, 8)}`
    await env.DB.prepare(
      `insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, 'sync', ?, 'x', 6, ?)`
    )
      .bind(
        deadLetterId,
        tenant.id,
        JSON.stringify({ type: 'write-back', eventId: 'evt_missing' }),
        new Date().toISOString()
      )
      .run()
    await apiJson(`/api/v1/dead-letters/${deadLetterId}/replay`, { method: 'POST', token: tenant.token })
    expect((await api(`/api/v1/connections/${connection.id}`, { method: 'DELETE', token: tenant.token })).status).toBe(
      204
    )

    const response = await api('/api/v1/audit-log', { token: tenant.token })
    const text = await response.text()
    for (const secret of [shop.accessToken, WEBHOOK_SECRET, 'shpat_rotated_secret_value', tenant.token])
      expect(text).not.toContain(secret)
    const entries = JSON.parse(text).items.map((entry: any) => [
      entry.action,
      entry.actor,
      entry.actorTokenId,
      entry.targetId,
    ])
    expect(entries.slice(0, 5)).toEqual([
      ['connection.deleted', 'token', admin.id, connection.id],
      ['dead_letter.replayed', 'token', admin.id, deadLetterId],
      ['connection.routes_changed', 'operator', null, connection.id],
      ['connection.changed', 'token', admin.id, connection.id],
      ['connection.created', 'token', admin.id, connection.id],
    ])
    const changed = JSON.parse(text).items.find((entry: any) => entry.action === 'connection.changed')
    expect(changed.details).toEqual({ fields: ['name', 'credentials'], credentials: ['accessToken'] })
  })

  it('records the operator’s re-encryption among its own, tenant-less entries', async () => {
    await apiJson('/api/v1/admin/re-encrypt', { method: 'POST', token: ADMIN_TOKEN })
    const own = await apiJson('/api/v1/audit-log?action=re_encryption.run', { token: ADMIN_TOKEN })
    expect(own.items[0]).toMatchObject({ action: 're_encryption.run', actor: 'operator', actorTokenId: null })
  })
})
