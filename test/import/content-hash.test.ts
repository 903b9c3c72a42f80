/**
 * Issue 16: a canonical-model change must not re-import every order once as `updated`. The import
 * compares a versioned projection of the order; a field the model gains enters no fingerprint,
 * and fingerprints stored before the projection was versioned still match.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/core/crypto'
import { database } from '../../src/db/client'
import { importRecords } from '../../src/import/import-records'
import { orderId } from '../../src/import/store-order'
import type { IncomingOrder } from '../../src/core/model'
import { customer, importTarget, order } from './fixtures'

const db = () => database(env.DB)

async function importOnce(to: ReturnType<typeof importTarget>, incoming: IncomingOrder) {
  const summary = await importRecords(db(), to, [{ kind: 'order', order: incoming }])
  return summary.orders[0].result
}

describe('content hash of an imported order', () => {
  it('a field the canonical model gains does not make a stored order look changed', async () => {
    const to = importTarget()
    const incoming = order()
    expect(await importOnce(to, incoming)).toBe('created')
    // The same order as a later model reads it: a new top-level field, and a new empty member of the customer.
    const withNewFields = {
      ...incoming,
      giftMessage: 'Happy birthday',
      customer: { ...incoming.customer!, salutation: null },
    } as IncomingOrder
    expect(await importOnce(to, withNewFields)).toBe('unchanged')
    // A real change still counts.
    expect(await importOnce(to, { ...incoming, total: '1.00' })).toBe('updated')
  })

  it('an order stored with the fingerprint from before versioned projections is found unchanged', async () => {
    const to = importTarget()
    const incoming = order({ customer: customer() })
    await importOnce(to, incoming)
    const { updatedAt: _updatedAt, ...content } = incoming
    await env.DB.prepare('update orders set content_hash = ? where id = ?')
      .bind(await sha256Hex(JSON.stringify(content)), await orderId(to.connectionId, incoming.externalId))
      .run()
    expect(await importOnce(to, incoming)).toBe('unchanged')
  })
})
