/**
 * Serves every platform simulator on localhost for `npm start`. A request to
 * `http://127.0.0.1:8788/{host}/{path}` is answered as `https://{host}/{path}` would be, so a
 * connection's `settings.baseUrl` of `http://127.0.0.1:8788/demo.myshopify.com` reaches the
 * simulated shop `demo.myshopify.com`. `GET /` lists the simulators (README: *Simulators*).
 */
import { serve } from '@hono/node-server'
import { routeOutbound, simulators } from '../test/simulators/router'

const port = Number(process.env.SIMULATORS_PORT ?? 8788)

const help = `Kontor's platform simulators: ${simulators.map((simulator) => simulator.name).join(', ')}.
Call http://127.0.0.1:${port}/{platform host}/{path}; it is answered as https://{platform host}/{path}.
Each simulator has /_sim/* control routes (set up a shop, add orders) and GET /_sim/requests
(what it received). See README.md, "Simulators".
`

serve({
  port,
  hostname: '127.0.0.1',
  fetch: async (request: Request) => {
    const url = new URL(request.url)
    const [, host, ...rest] = url.pathname.split('/')
    if (!host) return new Response(help, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
    const target = new URL(`https://${host}/${rest.join('/')}${url.search}`)
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer()
    return routeOutbound(new Request(target, { method: request.method, headers: request.headers, body }))
  },
})
console.log(`simulators listening on http://127.0.0.1:${port}`)
