/**
 * One order's write as a D1 batch whose statements are named by what they do. The caller runs
 * the statements (of several orders) in one batch and reads back, by name, the ids the
 * `returning` ones gave: hub deliveries to queue, hand-overs to cancel or to send a change to.
 */
import type { writeBatch } from '../db/write-batch'
import { returnedIds } from '../hub/emit'

/** Anything writeBatch can compile. */
export type Statement = Parameters<typeof writeBatch>[1][number]

/** The statements of an order batch whose returned ids the caller queues. */
export type ReturningStatement = 'hubDeliveries' | 'handoversToCancel' | 'changedHandovers'

export type OrderBatch = {
  statements: Statement[]
  /** Where each returning statement stands in `statements`. */
  positions: Partial<Record<ReturningStatement, number>>
  /** Hand-overs this import creates (one per route). */
  handoverIds: string[]
}

/** An order batch filled in the order its statements must run. */
export function orderBatch() {
  const batch: OrderBatch = { statements: [], positions: {}, handoverIds: [] }
  return {
    batch,
    add(...statements: Statement[]) {
      batch.statements.push(...statements)
    },
    addReturning(name: ReturningStatement, statement: Statement) {
      batch.positions[name] = batch.statements.length
      batch.statements.push(statement)
    },
  }
}

/** The ids each returning statement of `batch` gave, from the results of its own statements. */
export function idsReturnedBy(batch: OrderBatch, results: D1Result[]): Record<ReturningStatement, string[]> {
  const idsOf = (name: ReturningStatement) => {
    const position = batch.positions[name]
    return position === undefined ? [] : returnedIds(results[position])
  }
  return {
    hubDeliveries: idsOf('hubDeliveries'),
    handoversToCancel: idsOf('handoversToCancel'),
    changedHandovers: idsOf('changedHandovers'),
  }
}
