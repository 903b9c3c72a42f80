/**
 * PL2: the invoice customer must exist in plenigo before its order is imported. Looked up by
 * email (`GET /customers?email=`), created (`POST /customers {email, language, firstName,
 * lastName}`) only when none is found, and the creation runs once per hand-over: a retried
 * attempt asks plenigo by email first. plenigo's answers for a customer that already exists —
 * 208 with the customer, or error 20007 (email exists) — use that customer; 423 / 20026 (a
 * registration for the email is locked for ten seconds) is tried again later.
 */
import { FinalError, RetryableError } from '../../core/errors'
import type { HandoverOrder } from '../../core/model'
import type { OutboundSteps } from '../types'
import { PLENIGO_ERRORS, PlenigoApiError, type PlenigoContext, plenigoRequest } from './client'
import { customerEmail, plenigoCustomerCreation } from './mapper'
import { plenigoCustomerSchema, plenigoCustomersSchema } from './schemas'

export async function findPlenigoCustomer(context: PlenigoContext, email: string): Promise<string | null> {
  const response = await plenigoRequest(context, '/customers', { query: { email, size: 5 } })
  const parsed = plenigoCustomersSchema.safeParse(response.json())
  if (!parsed.success)
    throw new FinalError(`plenigo GET /customers: unreadable answer (${parsed.error.issues[0]?.message})`)
  const items = parsed.data.items ?? []
  const same = items.find((customer) => customer.email?.trim().toLowerCase() === email.toLowerCase())
  return (same ?? (items.length === 1 && !items[0].email ? items[0] : undefined))?.customerId ?? null
}

export type PlenigoCustomerResult = { customerId: string; created: boolean; detail: string }

export async function ensurePlenigoCustomer(
  context: PlenigoContext,
  order: HandoverOrder,
  steps: OutboundSteps
): Promise<PlenigoCustomerResult> {
  const email = customerEmail(order)
  const found = await findPlenigoCustomer(context, email)
  if (found) return { customerId: found, created: false, detail: `customer ${found} found by email` }

  // Set inside the step (a holder object, so TypeScript does not narrow it to null).
  const outcome: { result: PlenigoCustomerResult | null } = { result: null }
  const { skipped } = await steps.once(
    'create-customer',
    async () => {
      try {
        const response = await plenigoRequest(context, '/customers', {
          method: 'POST',
          json: plenigoCustomerCreation(order, context.settings),
        })
        const customer = plenigoCustomerSchema.safeParse(response.json())
        if (!customer.success) throw new FinalError(`plenigo POST /customers: the answer has no customerId`)
        outcome.result =
          response.status === 208
            ? {
                customerId: customer.data.customerId,
                created: false,
                detail: `customer ${customer.data.customerId} already existed (208)`,
              }
            : {
                customerId: customer.data.customerId,
                created: true,
                detail: `customer ${customer.data.customerId} created`,
              }
      } catch (error) {
        if (!(error instanceof PlenigoApiError) || error.code !== PLENIGO_ERRORS.emailExists) throw error
        const existing = await findPlenigoCustomer(context, email)
        if (!existing)
          throw new RetryableError(
            `plenigo says ${email} is registered (20007) but finds no customer by that email yet`
          )
        outcome.result = {
          customerId: existing,
          created: false,
          detail: `customer ${existing} already existed (20007)`,
        }
      }
      return outcome.result.detail
    },
    {
      alreadyDone: async () => {
        const existing = await findPlenigoCustomer(context, email)
        if (existing)
          outcome.result = {
            customerId: existing,
            created: false,
            detail: `customer ${existing} found by email after an interrupted attempt`,
          }
        return Boolean(existing)
      },
    }
  )
  if (outcome.result) return outcome.result
  // An earlier attempt created the customer (the step is done): plenigo knows it by email now.
  const existing = skipped ? await findPlenigoCustomer(context, email) : null
  if (!existing) throw new RetryableError(`plenigo customer for ${email} was created but is not found by email yet`)
  return { customerId: existing, created: false, detail: `customer ${existing} (created by an earlier attempt)` }
}
