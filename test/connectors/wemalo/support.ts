/**
 * Shared by the Wemalo connector tests: a hand-over order, and a connector context bound to a fresh
 * simulated Wemalo account (calls go through the routed outbound fetch to test/simulators/wemalo.ts).
 */
import { createHttpClient } from '../../../src/core/http-client'
import type { HandoverOrder } from '../../../src/core/model'
import type { ConnectorContext, OutboundSteps } from '../../../src/connectors/types'
import {
  type WemaloCredentials,
  type WemaloSettings,
  wemaloSettingsSchema,
} from '../../../src/connectors/wemalo/schemas'
import { pacerPort, simulatorCall } from '../../helpers'

export const WEBHOOK_SECRET = 'wemalo-hook-secret-0123456789'

export function handoverOrder(overrides: Partial<HandoverOrder> = {}): HandoverOrder {
  return {
    id: 'ord_wm_1',
    tenantId: 'ten_1',
    connectionId: 'con_src',
    platform: 'billbee',
    externalId: '9001',
    number: 'BB-9001',
    createdAt: '2026-11-22T10:00:00.000Z',
    currency: 'EUR',
    status: 'new',
    total: '53.89',
    shippingCost: '4.99',
    paymentMethod: null,
    customer: { firstName: 'Erika', lastName: 'Musterfrau', email: 'erika@example.com', phone: '+49 30 123456' },
    billingAddress: {
      firstName: 'Erika',
      lastName: 'Musterfrau',
      street: 'Rechnungsweg',
      houseNumber: '1',
      postcode: '10115',
      city: 'Berlin',
      countryCode: 'DE',
    },
    shippingAddress: {
      firstName: 'Erika',
      lastName: 'Musterfrau',
      company: 'Muster GmbH',
      street: 'Lieferstraße',
      houseNumber: '7a',
      street2: '3. OG',
      postcode: '34117',
      city: 'Kassel',
      countryCode: 'de',
      phone: '+49 561 99',
    },
    lines: [
      {
        id: 'line_1',
        sku: 'MUG-RED',
        code: null,
        name: 'Mug, red',
        quantity: 2,
        unitPrice: '12.45',
        total: '24.90',
        product: { type: 'single', components: [] },
      },
      {
        id: 'line_2',
        sku: 'GIFT-SET',
        code: null,
        name: 'Gift set',
        quantity: 2,
        unitPrice: '12.00',
        total: '24.00',
        product: {
          type: 'bundle',
          components: [
            { sku: 'MUG-BLUE', externalId: '301', quantity: 1 },
            { sku: 'COASTER', externalId: '302', quantity: 4 },
          ],
        },
      },
    ],
    ...overrides,
  }
}

export type WemaloContext = ConnectorContext<WemaloCredentials, WemaloSettings> & { sessionState: { value: unknown } }

/** A fresh simulated account on its own host, and a context for a connection to it. */
export async function wemaloAccount(account: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  const host = `${crypto.randomUUID().slice(0, 8)}.wemalo.test`
  await simulatorCall(host, '/_sim/account', { token: 'jwt-token-1', ...account })
  const sessionState: { value: unknown } = { value: null }
  const context: WemaloContext = {
    connection: { id: `con_wm_${crypto.randomUUID().slice(0, 8)}`, tenantId: 'ten_1', platform: 'wemalo' },
    credentials: { token: 'jwt-token-1', webhookSecret: WEBHOOK_SECRET },
    settings: wemaloSettingsSchema.parse({
      baseUrl: `https://${host}/v1`,
      webhookEmail: 'ops@example.com',
      ...settings,
    }),
    http: createHttpClient({ baseUrl: `https://${host}/v1` }),
    session: {
      get: async <T>() => sessionState.value as T | null,
      set: async (value: unknown) => {
        sessionState.value = value
      },
    },
    pacer: pacerPort('wemalo'),
    now: () => new Date(),
    sessionState,
  }
  const sim = (path: string, body?: unknown) => simulatorCall(host, path, body)
  return { host, context, sim, state: () => sim('/_sim/state') }
}

/** Outbound steps as the queue runs them, kept in memory: a step done once is skipped after. */
export function memorySteps(): OutboundSteps & { done: Map<string, string | void>; started: Set<string> } {
  const done = new Map<string, string | void>()
  const started = new Set<string>()
  return {
    done,
    started,
    async once(step, run, options) {
      if (done.has(step)) return { skipped: true }
      if (started.has(step) && options?.alreadyDone && (await options.alreadyDone())) {
        done.set(step, 'found done')
        return { skipped: true }
      }
      started.add(step)
      done.set(step, await run())
      return { skipped: false }
    },
  }
}
