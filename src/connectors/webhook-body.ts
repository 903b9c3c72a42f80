/**
 * A webhook body that is not JSON can never be imported, however often it is tried: the parse
 * error becomes a `FinalError` with a reason in words, so the delivery fails once, at once.
 */
import { FinalError } from '../core/errors'
import { parseJsonLosslessly } from '../core/json'

export function parseWebhookBody(event: { topic: string; body: string }): unknown {
  try {
    return parseJsonLosslessly(event.body)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new FinalError(`the ${event.topic} delivery's body is not JSON (${detail})`)
  }
}
