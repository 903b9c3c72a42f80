/**
 * `GET /docs`: Swagger UI for /api/v1/openapi.json, served by the Worker itself so it works
 * without internet. The swagger-ui-dist files are bundled as text modules (wrangler.toml `rules`,
 * which the Workers test runner reads too) and served under a versioned path, cached for a year.
 */
import { Hono } from 'hono'
import { version } from 'swagger-ui-dist/package.json'
import bundle from 'swagger-ui-dist/swagger-ui-bundle.js'
import css from 'swagger-ui-dist/swagger-ui.css'
import type { AppEnv } from '../env'

const ASSETS = `/docs/assets/${version}`
const IMMUTABLE = 'public, max-age=31536000, immutable'

const assets: Record<string, { body: string; type: string }> = {
  'swagger-ui-bundle.js': { body: bundle, type: 'text/javascript; charset=utf-8' },
  // The source map is not bundled: drop the reference so browsers do not ask for it.
  'swagger-ui.css': { body: css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, ''), type: 'text/css; charset=utf-8' },
  'init.js': {
    body: `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true, deepLinking: true })\n`,
    type: 'text/javascript; charset=utf-8',
  },
}

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kontor API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS}/swagger-ui-bundle.js"></script>
<script src="${ASSETS}/init.js"></script>
</body>
</html>
`

export const docsRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.html(page, 200, { 'cache-control': 'no-cache' }))
  .get('/assets/:version/:file', (c) => {
    const asset = assets[c.req.param('file')]
    if (!asset || c.req.param('version') !== version)
      return c.json({ error: { code: 'not_found', message: 'no such asset' } }, 404)
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': IMMUTABLE })
  })
