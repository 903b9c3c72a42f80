/**
 * The plenigo connector against the simulator, called directly with a context: customers (PL2),
 * imports (PL1, PL3), the import log (PL4) and confirmation (PL5), errors and retries. Every
 * request is checked against plenigo's OpenAPI description by the simulator.
 */
import { describe, expect, it } from 'vitest'
import { plenigoConnector } from '../../../src/connectors/plenigo'
import type { HandoverReference } from '../../../src/connectors/types'
import { FinalError, RetryableError } from '../../../src/core/errors'
import {
  handoverOrder,
  handoverSteps,
  line,
  OFFER_A,
  OFFER_B,
  plenigoAccount,
  plenigoContext,
  plenigoSim,
  simRequests,
} from './support'

const connector = plenigoConnector

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

function openHandover(
  orderId: string,
  details: Record<string, unknown>,
  sentAt = new Date().toISOString()
): HandoverReference {
  return {
    orderId,
    reference: String(details.promiseId ?? ''),
    state: 'sent',
    details: { sentAt, ...details },
    createdAt: sentAt,
    updatedAt: sentAt,
  }
}

async function expectNoViolations(token: string) {
  const { violations } = await simRequests(token)
  expect(violations).toEqual([])
}

describe('plenigo connector', () => {
  it('PL2, PL1, PL3: a new customer is created by email, then one import with an item per line that has an offer', async () => {
    const token = await plenigoAccount({ importDelayMs: null })
    const context = plenigoContext(token)
    const order = handoverOrder()
    const outcome = await connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))

    const { requests } = await simRequests(token)
    expect(requests.map((request: any) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      'GET /api/v3.0/customers 200',
      'POST /api/v3.0/customers 201',
      'POST /api/v3.0/imports/orders 201',
    ])
    expect(requests[0].query.email).toEqual([order.customer!.email])
    expect(requests[1].body).toEqual({
      email: order.customer!.email,
      language: 'de',
      firstName: 'Jana',
      lastName: 'Beispiel',
    })
    const { customers } = await plenigoSim(token, '/_sim/customers')
    expect(customers).toHaveLength(1)
    const customerId = customers[0].customerId
    expect(requests[2].body).toEqual({
      items: [
        {
          externalSystemId: `${order.id}:0`,
          plenigoOfferId: OFFER_A,
          invoiceCustomerId: customerId,
          quantity: 1,
          startDate: '2026-11-20T09:15:00Z',
          paymentMethod: 'PAYPAL',
        },
        {
          externalSystemId: `${order.id}:1`,
          plenigoOfferId: OFFER_B,
          invoiceCustomerId: customerId,
          quantity: 2,
          startDate: '2026-11-20T09:15:00Z',
          paymentMethod: 'PAYPAL',
        },
      ],
    })
    // PL5: the promise id is kept; the line without an offer is on the outcome.
    expect(outcome.state).toBe('sent')
    expect(outcome.details?.promiseId).toMatch(/^[0-9A-Za-z]{27}$/)
    expect(outcome.reference).toBe(outcome.details?.promiseId)
    expect(outcome.details).toMatchObject({
      externalSystemIds: [`${order.id}:0`, `${order.id}:1`],
      customerId,
      customerCreated: true,
      paymentMethod: 'PAYPAL',
      linesWithoutOffer: [{ lineId: `${order.id}:2`, sku: 'MUG-1', name: 'Kaffeebecher' }],
    })
    expect(outcome.detail).toContain('1 line(s) without a plenigo offer, not imported: MUG-1 (Kaffeebecher)')
    await expectNoViolations(token)
  })

  it('PL2: an existing customer is found by email and none is created', async () => {
    const token = await plenigoAccount()
    const order = handoverOrder()
    const { customers } = await plenigoSim(token, '/_sim/customers', {
      customers: [{ email: order.customer!.email!.toUpperCase() }],
    })
    const outcome = await connector.handOver(
      plenigoContext(token),
      order,
      { attempt: 1, details: {} },
      handoverSteps(order.id)
    )
    expect(outcome.details).toMatchObject({ customerId: customers[0].customerId, customerCreated: false })
    const { requests } = await simRequests(token)
    expect(requests.filter((request: any) => request.method === 'POST' && request.path.endsWith('/customers'))).toEqual(
      []
    )
    await expectNoViolations(token)
  })

  it('PL2: a 208 (the customer existed after all) and error 20007 both use the existing customer', async () => {
    for (const [existingEmailAnswer, hiddenFromSearch] of [
      ['208', true],
      ['20007', 1],
    ] as const) {
      const token = await plenigoAccount({ existingEmailAnswer })
      const order = handoverOrder()
      // Created a moment ago elsewhere: the search before the create misses it.
      const { customers } = await plenigoSim(token, '/_sim/customers', {
        customers: [{ email: order.customer!.email, hiddenFromSearch }],
      })
      const outcome = await connector.handOver(
        plenigoContext(token),
        order,
        { attempt: 1, details: {} },
        handoverSteps(order.id)
      )
      expect(outcome.details).toMatchObject({ customerId: customers[0].customerId, customerCreated: false })
      expect(outcome.detail).toContain(`customer ${customers[0].customerId} already existed (${existingEmailAnswer})`)
      const { requests } = await simRequests(token)
      expect(requests.map((request: any) => `${request.method} ${request.path.slice(9)} ${request.status}`)).toEqual([
        'GET /customers 200',
        `POST /customers ${existingEmailAnswer === '208' ? 208 : 400}`,
        ...(existingEmailAnswer === '208' ? [] : ['GET /customers 200']),
        'POST /imports/orders 201',
      ])
      expect((await plenigoSim(token, '/_sim/customers')).customers).toHaveLength(1)
      await expectNoViolations(token)
    }
  })

  it('PL2: 423 / 20026 (registration locked) is retried later, then the customer is created once', async () => {
    const token = await plenigoAccount()
    const order = handoverOrder()
    await plenigoSim(token, '/_sim/lock', { email: order.customer!.email, times: 1 })
    const context = plenigoContext(token)
    const owner = `handover:locked-${order.id}`
    const error = await caught(
      connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id, owner))
    )
    expect(error).toBeInstanceOf(RetryableError)
    expect(error.message).toContain('20026')
    expect((error as RetryableError).retryAfterSeconds).toBe(10)
    const outcome = await connector.handOver(
      context,
      order,
      { attempt: 2, details: {} },
      handoverSteps(order.id, owner)
    )
    expect(outcome.details).toMatchObject({ customerCreated: true })
    const { customers } = await plenigoSim(token, '/_sim/customers')
    expect(customers).toHaveLength(1)
    await expectNoViolations(token)
  })

  it('PL3: an unmapped payment method without default is a final refusal before any call', async () => {
    const token = await plenigoAccount()
    const context = plenigoContext(token, { paymentMethodMap: { paypal: 'PAYPAL' } })
    const order = handoverOrder({ paymentMethod: 'klarna' })
    const error = await caught(connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id)))
    expect(error).toBeInstanceOf(FinalError)
    expect(error.message).toBe(
      'payment method "klarna" has no plenigo payment method: add it (or a "default") to the connection\'s paymentMethodMap'
    )
    const noOffer = handoverOrder({ lines: [line('ord_x', 0, 'MUG-1', 'Becher', 1)] })
    const refused = await caught(
      connector.handOver(context, noOffer, { attempt: 1, details: {} }, handoverSteps(noOffer.id))
    )
    expect(refused).toBeInstanceOf(FinalError)
    expect(refused.message).toContain('no line has a plenigo offer')
    expect((await simRequests(token)).requests).toEqual([])
  })

  it("PL4, PL5: the import log confirms the hand-over with plenigo's order id", async () => {
    const token = await plenigoAccount({ importDelayMs: null })
    const context = plenigoContext(token)
    const order = handoverOrder()
    const outcome = await connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    const open = [openHandover(order.id, outcome.details!)]

    // Still queued at plenigo: nothing to report, the hand-over stays open.
    expect((await connector.pollReports!(context, open)).reports).toEqual([])
    await plenigoSim(token, '/_sim/process-imports', {})
    const { reports } = await connector.pollReports!(context, open)
    const { orders } = await plenigoSim(token, '/_sim/state')
    expect(orders).toHaveLength(1)
    const plenigoOrderId = String(orders[0].orderId)
    expect(reports).toEqual([
      {
        kind: 'confirmed',
        orderId: order.id,
        reference: plenigoOrderId,
        detail: `plenigo order ${plenigoOrderId} for 2 item(s)`,
        details: {
          plenigoOrderIds: [plenigoOrderId],
          orderIdsByExternalSystemId: { [`${order.id}:0`]: plenigoOrderId, [`${order.id}:1`]: plenigoOrderId },
          importLogEntryIds: [expect.any(String), expect.any(String)],
        },
      },
    ])
    const { requests } = await simRequests(token)
    expect(
      requests
        .filter((request: any) => request.path.endsWith('/imports/orders/logs'))
        .map((request: any) => request.query.externalSystemId[0])
    ).toEqual([`${order.id}:0`, `${order.id}:0`, `${order.id}:1`])
    await expectNoViolations(token)
  })

  it("PL5: a failed import is reported with plenigo's reason; hand-overs not sent are left alone", async () => {
    const token = await plenigoAccount()
    const context = plenigoContext(token)
    const order = handoverOrder()
    await plenigoSim(token, '/_sim/import-failure', {
      externalSystemId: `${order.id}:1`,
      errorReason: 'Order could not be imported.',
      errorDetail: { message: 'Payment method is required.' },
    })
    const outcome = await connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    const { reports } = await connector.pollReports!(context, [
      openHandover(order.id, outcome.details!),
      { ...openHandover('ord_other', outcome.details!), state: 'confirmed' },
    ])
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ kind: 'failed', orderId: order.id })
    expect((reports[0] as { message: string }).message).toMatch(
      new RegExp(
        `^plenigo import failed: ${order.id}:1: Order could not be imported. Payment method is required. \\(1 other item\\(s\\) imported as plenigo order \\d+\\)$`
      )
    )
    await expectNoViolations(token)
  })

  it("PL5: 97001 (already imported) counts as done; the order id comes from plenigo's orders", async () => {
    const token = await plenigoAccount()
    const context = plenigoContext(token)
    const order = handoverOrder()
    const first = await connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    // A second hand-over of the same order (a replay with new steps) imports again: plenigo logs 97001.
    await plenigoSim(token, '/_sim/expire-logs', {})
    const again = await connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    expect(again.details?.externalSystemIds).toEqual(first.details?.externalSystemIds)
    const { logs, orders } = await plenigoSim(token, '/_sim/state')
    expect(logs.map((entry: any) => entry.success)).toEqual([false, false])
    expect(logs[0].errorDetail).toEqual({ errorCode: 97001, message: 'Order was already imported.' })
    const { reports } = await connector.pollReports!(context, [openHandover(order.id, again.details!)])
    expect(reports).toEqual([
      expect.objectContaining({
        kind: 'confirmed',
        reference: String(orders[0].orderId),
        detail: expect.stringContaining('already imported (97001)'),
      }),
    ])

    // plenigo may also refuse the request itself with 97001: the hand-over is sent all the same.
    await plenigoSim(token, '/_sim/settings', { duplicateAnswer: 'reject' })
    const third = await connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    expect(third).toMatchObject({ state: 'sent', details: { alreadyImported: true, promiseId: null } })
    expect(third.reference).toBe(`${order.id}:0`)
    await expectNoViolations(token)
  })

  it('PL5: 97004 (import queue full) and 429 are retried later; 97004 in the import log sends the import again', async () => {
    const token = await plenigoAccount()
    const context = plenigoContext(token)
    const order = handoverOrder()
    await plenigoSim(token, '/_sim/queue-full', { times: 1 })
    const owner = `handover:queue-${order.id}`
    const full = await caught(
      connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id, owner))
    )
    expect(full).toBeInstanceOf(RetryableError)
    expect(full.message).toContain('plenigo error 97004: Max order import queue is reached.')
    await plenigoSim(token, '/_sim/faults', {
      faults: [{ method: 'POST', path: '/imports/orders', status: 429, retryAfter: '30', times: 1 }],
    })
    const limited = await caught(
      connector.handOver(context, order, { attempt: 2, details: {} }, handoverSteps(order.id, owner))
    )
    expect(limited).toBeInstanceOf(RetryableError)
    expect((limited as RetryableError).retryAfterSeconds).toBe(30)
    const outcome = await connector.handOver(
      context,
      order,
      { attempt: 3, details: {} },
      handoverSteps(order.id, owner)
    )
    expect(outcome.state).toBe('sent')
    const { imports } = await plenigoSim(token, '/_sim/state')
    expect(imports).toHaveLength(1)

    // A log entry saying the queue was full: plenigo will not import it by itself, so it is sent
    // again (issue 16: it used to stay open for the 7 days plenigo keeps its log).
    const queued = handoverOrder()
    await plenigoSim(token, '/_sim/import-failure', {
      externalSystemId: `${queued.id}:0`,
      errorReason: 'Max order import queue is reached.',
      errorDetail: { errorCode: 97004 },
    })
    const queuedOutcome = await connector.handOver(
      context,
      queued,
      { attempt: 1, details: {} },
      handoverSteps(queued.id)
    )
    expect((await connector.pollReports!(context, [openHandover(queued.id, queuedOutcome.details!)])).reports).toEqual([
      expect.objectContaining({ kind: 'resend', orderId: queued.id, redoSteps: ['import-order'] }),
    ])
    // A rate-limited log read leaves it open.
    await plenigoSim(token, '/_sim/faults', {
      faults: [{ method: 'GET', path: '/imports/orders/logs', status: 429, retryAfter: '5', times: 1 }],
    })
    const polled = await connector.pollReports!(context, [openHandover(order.id, outcome.details!)])
    expect(polled.reports).toEqual([])
    const next = await connector.pollReports!(context, [openHandover(order.id, outcome.details!)])
    expect(next.reports).toEqual([expect.objectContaining({ kind: 'confirmed', orderId: order.id })])
    await expectNoViolations(token)
  })

  it('PL5: an interrupted attempt is not imported twice (the step asks the import log first)', async () => {
    const token = await plenigoAccount()
    const context = plenigoContext(token, {}, { timeoutMs: 300 })
    const order = handoverOrder()
    const owner = `handover:timeout-${order.id}`
    // The import reaches plenigo but the answer comes too late: a timeout, retried later.
    await plenigoSim(token, '/_sim/faults', {
      faults: [{ method: 'POST', path: '/imports/orders', status: 200, delayMs: 800, times: 1 }],
    })
    const error = await caught(
      connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id, owner))
    )
    expect(error).toBeInstanceOf(RetryableError)
    await new Promise((resolve) => setTimeout(resolve, 700))
    const outcome = await connector.handOver(
      context,
      order,
      { attempt: 2, details: {} },
      handoverSteps(order.id, owner)
    )
    expect(outcome.state).toBe('sent')
    expect(outcome.detail).toContain('import sent by an earlier attempt')
    const { imports } = await plenigoSim(token, '/_sim/state')
    expect(imports).toHaveLength(1)
    await expectNoViolations(token)
  })

  it("PL1: bad answers: plenigo's 4xx error is final with its code and message, 5xx is retried", async () => {
    const token = await plenigoAccount()
    const context = plenigoContext(token)
    const order = handoverOrder()
    await plenigoSim(token, '/_sim/faults', { faults: [{ method: 'GET', path: '/customers', status: 502, times: 1 }] })
    const outage = await caught(
      connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    )
    expect(outage).toBeInstanceOf(RetryableError)
    await plenigoSim(token, '/_sim/faults', {
      faults: [
        {
          method: 'POST',
          path: '/imports/orders',
          status: 400,
          errorCode: 90068,
          errorMessage: 'A WBZ import needs a WBZ offer.',
          times: 1,
        },
      ],
    })
    const refused = await caught(
      connector.handOver(context, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    )
    expect(refused).toBeInstanceOf(FinalError)
    expect(refused.message).toBe(
      'plenigo POST /imports/orders answered 400: plenigo error 90068: A WBZ import needs a WBZ offer.'
    )
    const wrongToken = plenigoContext('not-a-token')
    const unauthorized = await caught(
      connector.handOver(wrongToken, order, { attempt: 1, details: {} }, handoverSteps(order.id))
    )
    expect(unauthorized).toBeInstanceOf(FinalError)
    expect(unauthorized.message).toContain('401: plenigo error 99008: Api token provided is not authorized.')
  })

  it('PL1: cancelling is refused: plenigo subscriptions are cancelled in plenigo', async () => {
    const token = await plenigoAccount()
    const outcome = await connector.cancel(
      plenigoContext(token),
      openHandover('ord_1', { externalSystemIds: ['ord_1:0'] })
    )
    expect(outcome).toEqual({
      result: 'refused',
      message: 'plenigo orders are not cancelled by Kontor; cancel the subscription in plenigo',
    })
    expect((await simRequests(token)).requests).toEqual([])
  })

  it("PL5: past the 7 days of the import log, plenigo's orders decide", async () => {
    const token = await plenigoAccount()
    const later = () => new Date(Date.now() + 8 * 24 * 3600 * 1000)
    const context = plenigoContext(token, {}, { now: later })
    const order = handoverOrder()
    const outcome = await connector.handOver(
      plenigoContext(token),
      order,
      { attempt: 1, details: {} },
      handoverSteps(order.id)
    )
    await plenigoSim(token, '/_sim/expire-logs', {})
    const lost = openHandover('ord_lost', { externalSystemIds: ['ord_lost:0'] })
    const { reports } = await connector.pollReports!(context, [openHandover(order.id, outcome.details!), lost])
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'confirmed', orderId: order.id }),
      { kind: 'failed', orderId: 'ord_lost', message: expect.stringContaining('within the 7 days') },
    ])
    await expectNoViolations(token)
  })
})

describe('plenigo simulator', () => {
  it('PL3: answers a request its API description refuses with 400 / 99400 and records the violation', async () => {
    const token = await plenigoAccount()
    const response = await fetch('https://api.plenigo.test/api/v3.0/imports/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-plenigo-token': token },
      body: JSON.stringify({
        items: [
          {
            externalSystemId: 'x:0',
            plenigoOfferId: OFFER_A,
            invoiceCustomerId: 100003,
            quantity: 1,
            startDate: '2026-11-20',
            paymentMethod: 'PAYPAL',
          },
        ],
      }),
    })
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body).toEqual({
      errorCode: 99003,
      errorMessage: 'Date and time must be formatted as RFC3339.',
      validationErrors: [
        { field: 'items[0].invoiceCustomerId', error: 'must be string, is integer', value: '100003' },
        { field: 'items[0].startDate', error: 'must be an RFC 3339 date-time', value: '2026-11-20' },
      ],
    })
    const { violations } = await simRequests(token)
    expect(violations).toHaveLength(2)
  })
})
