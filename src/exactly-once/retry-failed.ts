/**
 * An operator's retry of one failed outbound step, now, in the request (the order page, and
 * POST /api/v1/orders/{id}/handovers/…/retry and …/write-backs/…/retry). Only a step that failed
 * is retried, and only the attempt the operator saw: `run` claims with a compare-and-set on the
 * attempt count, so two clicks run it once and the second is told why not.
 */
import { ApiError } from '../core/errors'

type FailedStep = { state: string; attempts: number }

export async function retryFailedStep<Row>(step: {
  /** In words, for the answers: "hand-over", "write-back". */
  what: string
  read: () => Promise<Row | undefined>
  stateOf: (row: Row) => FailedStep
  seenAttempts?: number
  /** Runs the step's own use case at `attempts`; false when its claim was refused. */
  run: (attempts: number) => Promise<boolean>
}): Promise<Row> {
  const row = await step.read()
  if (!row) throw new ApiError(404, 'not_found', `no such ${step.what} on this order`)
  const { state, attempts: current } = step.stateOf(row)
  if (state !== 'failed')
    throw new ApiError(409, 'not_failed', `the ${step.what} is ${state}, not failed: nothing to retry`)
  const attempts = step.seenAttempts ?? current
  if (attempts !== current)
    throw new ApiError(409, 'retried_meanwhile', `the ${step.what} was tried again meanwhile (attempt ${current})`)
  let ran: boolean | undefined
  try {
    ran = await step.run(attempts)
  } catch {
    // A failure of the call is recorded on the step's row (its last error), which is read back below.
  }
  const after = (await step.read())!
  // A thrown claim (held elsewhere) counts no attempt; a thrown call does.
  if (ran === false || (ran === undefined && step.stateOf(after).attempts === attempts))
    throw new ApiError(
      409,
      'already_retried',
      `this ${step.what} attempt is being retried already, or can no longer run (say, its order was cancelled)`
    )
  return after
}
