import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, api, apiJson, createTenant } from '../helpers'

async function deadLetter(tenantId: string, createdAt: string) {
  const id = `dl_${crypto.randomUUID()}`
  await env.DB.prepare(
    'insert into dead_letters (id, tenant_id, queue, body, error, attempts, created_at) values (?, ?, ?, ?, ?, ?, ?)'
  )
    .bind(id, tenantId, 'sync', JSON.stringify({ type: 'write-back', eventId: `missing-${id}` }), 'boom', 5, createdAt)
    .run()
  return id
}

const replayedAt = async (id: string) =>
  (await env.DB.prepare('select replayed_at from dead_letters where id = ?')
    .bind(id)
    .first<{ replayed_at: string | null }>())!.replayed_at

describe('dead letters are scoped by the operator’s X-Tenant-Id', () => {
  it('the operator with X-Tenant-Id lists only that tenant’s dead letters; without it, every tenant’s', async () => {
    const [a, b] = [await createTenant(), await createTenant()]
    const ofA = await deadLetter(a.id, '2030-01-01T00:00:00.000Z')
    const ofB = await deadLetter(b.id, '2030-01-01T00:00:00.000Z')
    const scoped = await apiJson('/api/v1/dead-letters?limit=200', {
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': a.id },
    })
    const ids = scoped.items.map((item: { id: string }) => item.id)
    expect(ids).toContain(ofA)
    expect(ids).not.toContain(ofB)

    const all: string[] = []
    let cursor: string | null = null
    do {
      const page: any = await apiJson(`/api/v1/dead-letters?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
        token: ADMIN_TOKEN,
      })
      all.push(...page.items.map((item: { id: string }) => item.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(all).toEqual(expect.arrayContaining([ofA, ofB]))
  })

  it('the operator cannot replay another tenant’s dead letter under X-Tenant-Id', async () => {
    const [a, b] = [await createTenant(), await createTenant()]
    const ofB = await deadLetter(b.id, '2030-01-01T00:00:00.000Z')
    const response = await api(`/api/v1/dead-letters/${ofB}/replay`, {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': a.id },
    })
    expect(response.status).toBe(404)
    expect(await replayedAt(ofB)).toBeNull()
  })

  it('replay-since under X-Tenant-Id replays that tenant’s dead letters only', async () => {
    const [a, b] = [await createTenant(), await createTenant()]
    const since = '2031-06-01T00:00:00.000Z'
    const ofA = await deadLetter(a.id, '2031-06-02T00:00:00.000Z')
    const ofB = await deadLetter(b.id, '2031-06-02T00:00:00.000Z')
    const result = await apiJson('/api/v1/dead-letters/replay', {
      body: { since },
      token: ADMIN_TOKEN,
      headers: { 'x-tenant-id': a.id },
    })
    expect(result).toEqual({ replayed: 1 })
    expect(await replayedAt(ofA)).not.toBeNull()
    expect(await replayedAt(ofB)).toBeNull()
  })
})
