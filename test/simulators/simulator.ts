/**
 * What every platform simulator is: a real HTTP app (Hono) that answers for the hosts a platform
 * uses. The test runner's outbound fetch is routed here (vitest.config.ts → router.ts), and
 * `npm start` serves the same apps on localhost. Tests drive a simulator through its `/_sim/*`
 * control routes over HTTP, because tests run inside workerd and the simulators in Node.
 */
export type Simulator = {
  /** The platform name, for logs. */
  name: string
  /** True for the hostnames this simulator answers (e.g. `*.myshopify.com`). */
  handles(hostname: string): boolean
  fetch(request: Request): Response | Promise<Response>
}
