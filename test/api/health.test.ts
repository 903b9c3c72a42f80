import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, api, apiJson, createTenant } from '../helpers'

describe('health and tenants', () => {
  it('answers healthz once D1 answers', async () => {
    const response = await api('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
  })

  it('creates a tenant with a token only the operator may ask for', async () => {
    const tenant = await createTenant('EUR')
    expect(tenant.token).toMatch(/^kt_/)
    const refused = await api('/api/v1/tenants', { body: { name: 'x', currency: 'EUR' }, token: tenant.token })
    expect(refused.status).toBe(403)
    const invalid = await api('/api/v1/tenants', { body: { name: 'x', currency: 'euro' }, token: ADMIN_TOKEN })
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as any).error.message).toContain('currency')
    const spec = await apiJson('/api/v1/openapi.json')
    expect(spec.paths['/api/v1/orders/{id}/events']).toBeDefined()
  })
})
