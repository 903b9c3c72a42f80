/**
 * PL1–PL5: an order routed to plenigo becomes one `POST /imports/orders` with an item per line
 * that has an offer, for the invoice customer found or created by email (PL2). The import is
 * queued at plenigo: the hand-over stays `sent` under the `promiseId` (or the first item's
 * `externalSystemId`) until the import log confirms it (import-log.ts, pollReports).
 * Cancelling: plenigo's API has no order cancellation (orders are read-only there), and an
 * imported subscription is externally managed — plenigo expects its changes to be imported, not
 * made through the subscription endpoints — so Kontor refuses and says where to cancel.
 */
import { FinalError } from '../../core/errors'
import type { HandoverOrder } from '../../core/model'
import type { CancelOutcome, HandoverOutcome, HandoverReference, OutboundSteps } from '../types'
import { PLENIGO_ERRORS, PlenigoApiError, type PlenigoContext, plenigoRequest } from './client'
import { ensurePlenigoCustomer } from './customer'
import { importLogEntries, importReachedPlenigo } from './import-log'
import { describeLinesWithoutOffer, type PlenigoImportItem, planPlenigoImport } from './mapper'
import { plenigoSuccessStatusSchema } from './schemas'

type ImportAnswer = { promiseId: string | null; alreadyImported: boolean; detail: string }

async function postImport(context: PlenigoContext, items: PlenigoImportItem[]): Promise<ImportAnswer> {
  try {
    const response = await plenigoRequest(context, '/imports/orders', { method: 'POST', json: { items } })
    const parsed = plenigoSuccessStatusSchema.safeParse(response.text ? response.json() : {})
    if (!parsed.success) throw new FinalError('plenigo POST /imports/orders: unreadable answer')
    if (parsed.data.success === false) throw new FinalError('plenigo POST /imports/orders answered success: false')
    const promiseId = parsed.data.promiseId ?? null
    return {
      promiseId,
      alreadyImported: false,
      detail: promiseId ? `import accepted, promise ${promiseId}` : 'import accepted',
    }
  } catch (error) {
    if (!(error instanceof PlenigoApiError) || error.code !== PLENIGO_ERRORS.alreadyImported) throw error
    // 97001 for the request: the items plenigo has no trace of yet go again on their own.
    const missing: PlenigoImportItem[] = []
    for (const item of items) if (!(await importLogEntries(context, item.externalSystemId)).length) missing.push(item)
    if (missing.length && missing.length < items.length) {
      const rest = await postImport(context, missing)
      return {
        ...rest,
        alreadyImported: true,
        detail: `already imported in part (97001); ${rest.detail} for ${missing.length} item(s)`,
      }
    }
    return { promiseId: null, alreadyImported: true, detail: 'plenigo says the order was already imported (97001)' }
  }
}

export async function handOverToPlenigo(
  context: PlenigoContext,
  order: HandoverOrder,
  handover: { attempt: number; details: Record<string, unknown> },
  steps: OutboundSteps
): Promise<HandoverOutcome> {
  // PL1 + PL3 first: an order plenigo cannot take creates no customer either.
  const plan = planPlenigoImport(order, context.settings)
  const customer = await ensurePlenigoCustomer(context, order, steps)
  const items: PlenigoImportItem[] = plan.items.map((item) => ({ ...item, invoiceCustomerId: customer.customerId }))
  const externalSystemIds = items.map((item) => item.externalSystemId)

  const answer: { value: ImportAnswer | null } = { value: null }
  const { skipped } = await steps.once(
    'import-order',
    async () => {
      answer.value = await postImport(context, items)
      return answer.value.detail
    },
    { alreadyDone: () => importReachedPlenigo(context, externalSystemIds) }
  )
  const earlierPromise = typeof handover.details.promiseId === 'string' ? handover.details.promiseId : null
  const promiseId = answer.value?.promiseId ?? earlierPromise
  const withoutOffer = describeLinesWithoutOffer(plan.linesWithoutOffer, plan.linesWithoutQuantity)
  const importDetail = answer.value?.detail ?? (skipped ? 'import sent by an earlier attempt' : 'import sent')
  return {
    state: 'sent',
    reference: promiseId ?? externalSystemIds[0],
    detail: [
      `${items.length} item(s) imported for plenigo customer ${customer.customerId} (${customer.detail}); ${importDetail}; confirmation from the import log follows`,
      withoutOffer,
    ]
      .filter(Boolean)
      .join('. '),
    details: {
      promiseId,
      externalSystemIds,
      plenigoOfferIds: items.map((item) => item.plenigoOfferId),
      customerId: customer.customerId,
      customerCreated: customer.created,
      paymentMethod: plan.paymentMethod,
      linesWithoutOffer: plan.linesWithoutOffer,
      ...(plan.linesWithoutQuantity.length ? { linesWithoutQuantity: plan.linesWithoutQuantity } : {}),
      alreadyImported: answer.value?.alreadyImported ?? false,
      sentAt: context.now().toISOString(),
    },
  }
}

export const PLENIGO_CANCEL_REFUSAL = 'plenigo orders are not cancelled by Kontor; cancel the subscription in plenigo'

export async function cancelAtPlenigo(_context: PlenigoContext, _handover: HandoverReference): Promise<CancelOutcome> {
  return { result: 'refused', message: PLENIGO_CANCEL_REFUSAL }
}
