import { describe, expect, it } from 'vitest'
import { type ExistingOrder, initialStatus, planOrderImport } from '../../src/import/order-plan'
import { order } from './fixtures'

const existing = (overrides: Partial<ExistingOrder> = {}): ExistingOrder => ({
  id: 'ord_1',
  updatedAt: '2026-11-01T10:00:00.000Z',
  writtenOff: false,
  contentHash: 'old',
  delivery: null,
  status: 'processing',
  revision: 3,
  ...overrides,
})

type PlanInput = Parameters<typeof planOrderImport>[0]
const plan = (input: Partial<PlanInput> & PlanInput['policy']) => {
  const { ignoresChangesAfterNew, importsOnce, cancellationsAreRequests, ...rest } = input
  return planOrderImport({
    incoming: order(),
    existing: null,
    contentHash: 'new',
    tenantCurrency: 'EUR',
    initialStatusSetting: undefined,
    policy: { ignoresChangesAfterNew, importsOnce, cancellationsAreRequests },
    ...rest,
  })
}

/** The status events a plan adds (the delivery comment left out). */
const types = (planned: ReturnType<typeof plan>) =>
  planned.action === 'write' && planned.events.map((event) => event.type).filter((type) => type !== 'comment')

describe('order import rules (pure)', () => {
  it('G1: a new order of the connection is created', () => {
    expect(plan({})).toMatchObject({ action: 'write', result: 'created', status: 'new' })
  })

  it("G4: a platform currency other than the tenant's is rejected", () => {
    expect(plan({ incoming: order({ currency: 'USD' }) })).toMatchObject({ action: 'reject', rule: 'G4' })
  })

  it('G5: after written_off, platform changes are not applied', () => {
    expect(plan({ existing: existing({ writtenOff: true }) })).toMatchObject({ action: 'keep', rule: 'G5' })
  })

  it('P7: quantity changes are applied until written_off (an update is written, status kept)', () => {
    const incoming = order({ updatedAt: '2026-11-02T10:00:00.000Z' })
    expect(plan({ incoming, existing: existing() })).toMatchObject({
      action: 'write',
      result: 'updated',
      status: 'processing',
    })
  })

  it('a connector may ignore platform changes once the order left new (BB8, PM3)', () => {
    const incoming = order({ updatedAt: '2026-11-02T10:00:00.000Z' })
    expect(
      plan({ incoming, existing: existing({ status: 'processing' }), ignoresChangesAfterNew: 'BB8' })
    ).toMatchObject({ action: 'keep', rule: 'BB8' })
    expect(plan({ incoming, existing: existing({ status: 'new' }), ignoresChangesAfterNew: 'BB8' })).toMatchObject({
      action: 'write',
    })
  })

  it('PM3: after the hand-over, later platform changes are not imported (but a cancellation is)', () => {
    const incoming = order({ updatedAt: '2026-11-02T10:00:00.000Z' })
    expect(plan({ incoming, existing: existing({ status: 'new' }), importsOnce: 'PM3' })).toMatchObject({
      action: 'keep',
      rule: 'PM3',
    })
    const cancelled = order({ updatedAt: '2026-11-02T10:00:00.000Z', status: 'cancelled' })
    expect(plan({ incoming: cancelled, existing: existing({ status: 'new' }), importsOnce: 'PM3' })).toMatchObject({
      status: 'cancelled',
    })
  })

  it('PM5: a cancellation of an order already in processing is refused, not applied', () => {
    const cancelled = order({ updatedAt: '2026-11-02T10:00:00.000Z', status: 'cancelled' })
    const refused = plan({
      incoming: cancelled,
      existing: existing({ status: 'processing' }),
      cancellationsAreRequests: 'PM5',
    })
    expect(refused).toMatchObject({
      action: 'write',
      status: 'processing',
      keepContent: true,
      events: [expect.objectContaining({ type: 'cancel_refused' })],
    })
    expect(
      plan({ incoming: cancelled, existing: existing({ status: 'new' }), cancellationsAreRequests: 'PM5' })
    ).toMatchObject({ status: 'cancelled' })
  })

  it("a source's cancellation of a handed-over order is cancel_requested (status and event) until the destination answers; never handed over → cancelled", () => {
    const cancelled = order({ updatedAt: '2026-11-02T10:00:00.000Z', status: 'cancelled' })
    const requested = plan({ incoming: cancelled, existing: existing({ status: 'new', handedOver: true }) })
    expect(requested).toMatchObject({ action: 'write', status: 'cancel_requested' })
    expect(types(requested)).toEqual(['cancel_requested'])
    const direct = plan({ incoming: cancelled, existing: existing({ status: 'new', handedOver: false }) })
    expect(direct).toMatchObject({ action: 'write', status: 'cancelled' })
    expect(types(direct)).toEqual(['cancelled'])
  })

  it('a re-read of the cancelled source order while cancel_requested, cancelled or cancel_refused changes neither status nor events', () => {
    // Changed content (a new note on the platform, say), still cancelled there.
    const cancelledAgain = order({ updatedAt: '2026-11-03T10:00:00.000Z', status: 'cancelled', total: '99.00' })
    for (const status of ['cancel_requested', 'cancelled', 'cancel_refused'] as const) {
      const planned = plan({ incoming: cancelledAgain, existing: existing({ status }) })
      expect(planned, status).toMatchObject({ action: 'write', status })
      expect(types(planned), status).toEqual([])
      // plentymarkets imports once, except a cancellation: a re-read is kept as it is (PM3).
      expect(plan({ incoming: cancelledAgain, existing: existing({ status }), importsOnce: 'PM3' })).toMatchObject({
        action: 'keep',
        rule: 'PM3',
      })
    }
  })

  it('an older update arriving late changes nothing', () => {
    const incoming = order({ updatedAt: '2026-10-30T10:00:00.000Z' })
    expect(plan({ incoming, existing: existing() })).toMatchObject({ action: 'keep' })
  })

  it('the same content again is unchanged', () => {
    expect(plan({ existing: existing({ contentHash: 'new' }) })).toMatchObject({ action: 'keep', reason: 'no change' })
  })

  it('SH3: the initial status comes from the setting for the order type', () => {
    expect(initialStatus({ pos: 'processing', default: 'new' }, 'pos')).toBe('processing')
    expect(initialStatus({ pos: 'processing', default: 'new' }, 'web')).toBe('new')
    expect(initialStatus('processing', null)).toBe('processing')
    expect(plan({ incoming: order({ orderType: 'pos' }), initialStatusSetting: { pos: 'processing' } })).toMatchObject({
      status: 'processing',
    })
  })

  it('DL1: delivery details become a comment event on a new order', () => {
    const result = plan({})
    expect(result.action === 'write' && result.events).toEqual([
      expect.objectContaining({ type: 'comment', message: expect.stringContaining('Carrier: DHL') }),
    ])
  })

  it('DL2: changed delivery details add a new comment; unchanged ones add none', () => {
    const incoming = order({ updatedAt: '2026-11-02T10:00:00.000Z' })
    const changed = plan({ incoming, existing: existing({ delivery: { ...incoming.delivery!, carrier: 'UPS' } }) })
    expect(changed.action === 'write' && changed.events.map((event) => event.type)).toEqual(['comment'])
    const same = plan({ incoming, existing: existing({ delivery: incoming.delivery }) })
    expect(same.action === 'write' && same.events).toEqual([])
  })

  it('a platform cancellation moves the status and records the event', () => {
    const incoming = order({ updatedAt: '2026-11-02T10:00:00.000Z', status: 'cancelled', delivery: null })
    expect(plan({ incoming, existing: existing() })).toMatchObject({
      status: 'cancelled',
      events: [expect.objectContaining({ type: 'cancelled' })],
    })
  })
})
