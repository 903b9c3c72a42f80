/**
 * Serves every platform simulator on localhost for `npm start`. A request to
 * `http://localhost:8788/{host}/{path}` is answered as `https://{host}/{path}` would be, so a
 * connection's `settings.baseUrl` of `http://localhost:8788/demo.myshopify.com` reaches the
 * simulated shop `demo.myshopify.com`.
 */
import { serve } from '@hono/node-server'
import { routeOutbound } from '../test/simulators/router'

const port = Number(process.env.SIMULATORS_PORT ?? 8788)

serve({
  port,
  hostname: '127.0.0.1',
  fetch: async (request: Request) => {
    const url = new URL(request.url)
    const [, host, ...rest] = url.pathname.split('/')
    if (!host) return new Response('simulators: use /{platform host}/{path}', { status: 404 })
    const target = new URL(`https://${host}/${rest.join('/')}${url.search}`)
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer()
    return routeOutbound(new Request(target, { method: request.method, headers: request.headers, body }))
  },
})
console.log(`simulators listening on http://127.0.0.1:${port}`)
