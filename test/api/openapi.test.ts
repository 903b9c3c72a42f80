/**
 * The OpenAPI document is usable as it stands (paths resolve against `servers`, bearerAuth on
 * every API operation, operationIds, 3.1 keywords only) and covers every route the app serves.
 * The Redocly lint runs in Node: test/node/openapi-lint.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { app } from '../../src/app'
import { ui } from '../../src/routes/ui'
import { ADMIN_TOKEN, api, apiJson, KONTOR } from '../helpers'

/**
 * Served on purpose without being API operations: the operator's HTML dashboard (every route of
 * src/routes/ui, mounted at `/`) and the docs page with its assets.
 */
const DOCS_PAGES = ['GET /docs', 'GET /docs/assets/{version}/{file}']
const openApiPath = (path: string) => path.replace(/:([^/{}]+)/g, '{$1}')
const UNDOCUMENTED = new Set([
  ...ui.routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${openApiPath(route.path)}`),
  ...DOCS_PAGES,
])
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type Operation = Record<string, any>

async function openapi() {
  return apiJson<Record<string, any>>('/api/v1/openapi.json')
}

function operations(document: Record<string, any>): Array<{ key: string; path: string; operation: Operation }> {
  return Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      operation: item[method],
    }))
  )
}

/** Every place a keyword appears in the document, as JSON paths. */
function findKeyword(value: unknown, keyword: string, where = '#'): Array<{ where: string; value: unknown }> {
  if (!value || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, child]) => [
    ...(key === keyword ? [{ where: `${where}/${key}`, value: child }] : []),
    ...findKeyword(child, keyword, `${where}/${key}`),
  ])
}

describe('openapi.json', () => {
  it('is OpenAPI 3.1 whose paths resolve against its server', async () => {
    const document = await openapi()
    expect(document.openapi).toBe('3.1.0')
    expect(document.servers).toEqual([expect.objectContaining({ url: KONTOR })])
    expect(document.paths['/api/v1/orders/{id}/events'].post).toBeDefined()
    expect(document.paths['/api/v1/openapi.json'].get).toBeDefined()
    expect(document.paths['/healthz'].get).toBeDefined()
    expect(document.paths['/webhooks/{platform}/{connectionId}'].post).toBeDefined()
    expect(document.paths['/webhooks/{platform}/{connectionId}'].put).toBeDefined()
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/orders'))).toEqual([])
  })

  it('gives every operation a unique operationId and the bearer token to every API operation', async () => {
    const document = await openapi()
    expect(document.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' })
    )
    expect(document.components.parameters.TenantId).toEqual(
      expect.objectContaining({ name: 'X-Tenant-Id', in: 'header', required: false })
    )
    const all = operations(document)
    const ids = all.map(({ operation }) => operation.operationId)
    expect(ids.every((id) => typeof id === 'string' && /^[a-zA-Z][a-zA-Z0-9]*$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    for (const { key, path, operation } of all) {
      expect(operation.responses[500], `${key}: 500`).toBeDefined()
      if (operation.requestBody?.content['application/json'] && path.startsWith('/api/v1/')) {
        expect(operation.responses[413], `${key}: 413`).toBeDefined()
        expect(operation.responses[415], `${key}: 415`).toBeDefined()
      }
      if (!path.startsWith('/api/v1/') || path === '/api/v1/openapi.json') {
        expect(operation.security, `${key} is public`).toEqual([])
        continue
      }
      expect(operation.security, `${key}: security`).toEqual([{ bearerAuth: [] }])
      expect(operation.parameters, `${key}: X-Tenant-Id`).toContainEqual({ $ref: '#/components/parameters/TenantId' })
      expect(operation.responses[401], `${key}: 401`).toBeDefined()
    }
    expect(document.paths['/webhooks/{platform}/{connectionId}'].post.responses[413]).toBeDefined()
  })

  it('uses OpenAPI 3.1 keywords only', async () => {
    const document = await openapi()
    expect(findKeyword(document, 'nullable')).toEqual([])
    for (const keyword of ['exclusiveMinimum', 'exclusiveMaximum'])
      for (const found of findKeyword(document, keyword)) expect(typeof found.value, found.where).toBe('number')
  })

  it('documents every route the app serves', async () => {
    const document = await openapi()
    const documented = new Set(operations(document).map(({ key }) => key))
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`)
    )
    const missing = [...served].filter((key) => !documented.has(key) && !UNDOCUMENTED.has(key))
    expect(missing, 'served but not in openapi.json').toEqual([])
    const stale = [...documented].filter((key) => !served.has(key))
    expect(stale, 'in openapi.json but not served').toEqual([])
    for (const key of DOCS_PAGES) expect(served.has(key), `${key} is still served`).toBe(true)
    expect(served.has('GET /'), 'the dashboard is served').toBe(true)
  })
})

describe('/docs', () => {
  it('serves Swagger UI and its assets from the Worker, cached for long', async () => {
    const page = await api('/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const html = await page.text()
    expect(html).not.toMatch(/unpkg|jsdelivr|cdnjs|https?:\/\//)
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((match) => match[1])
      .filter((url) => url !== 'data:,') // no favicon request
    expect(assets).toHaveLength(3)
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\/assets\//)
      const response = await api(asset)
      expect(response.status, asset).toBe(200)
      expect(response.headers.get('cache-control')).toContain('max-age=31536000')
      expect(response.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/)
      const body = await response.text()
      if (asset.endsWith('swagger-ui-bundle.js')) {
        expect(body.length).toBeGreaterThan(500_000)
        expect(body).toContain('SwaggerUIBundle')
      }
      if (asset.endsWith('.css')) expect(body).toContain('.swagger-ui')
      if (asset.endsWith('init.js')) expect(body).toContain('/api/v1/openapi.json')
    }
    expect((await api('/docs/assets/0.0.0/swagger-ui.css')).status).toBe(404)
  })
})

describe('request bodies', () => {
  it('answers a body that is not JSON with 415 in the error envelope', async () => {
    const response = await api('/api/v1/tenants', {
      token: ADMIN_TOKEN,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(response.status).toBe(415)
    expect(await response.json()).toEqual({ error: { code: 'unsupported_media_type', message: expect.any(String) } })
  })
})
