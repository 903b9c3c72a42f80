/** The Worker: HTTP through the Hono app, queue batches to their consumers, cron to the poller. */
import { app } from './app'
import { runCron } from './cron'
import type { Bindings } from './env'
import { handleQueue } from './queue'

export { AccountPacer } from './pacing/account-pacer'

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: async (controller, env, context) => {
    context.waitUntil(runCron(env, new Date(controller.scheduledTime)))
  },
} satisfies ExportedHandler<Bindings>
