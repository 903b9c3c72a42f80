/**
 * What the plenigo connector tests share: a merchant account in the simulator, a connector
 * context bound to it (as src/connector-runtime/context.ts builds one, without a stored connection),
 * hand-over orders, exactly-once steps on the test D1, and the simulator's request log.
 */
import { env } from 'cloudflare:workers'
import type { ConnectorContext, OutboundSteps } from '../../../src/connectors/types'
import { plenigoConnector } from '../../../src/connectors/plenigo'
import type { PlenigoCredentials, PlenigoSettings } from '../../../src/connectors/plenigo/schemas'
import { createHttpClient } from '../../../src/core/http-client'
import type { HandoverOrder } from '../../../src/core/model'
import { database } from '../../../src/db/client'
import { outboundSteps } from '../../../src/exactly-once/steps'
import { pacerPort, uniqueName } from '../../helpers'

export const PLENIGO_HOST = 'api.plenigo.test'
export const PLENIGO_BASE_URL = `https://${PLENIGO_HOST}/api/v3.0`
export const OFFER_A = 'O_MZA1E7173120881551'
export const OFFER_B = 'O_BZB2F8284231992662'

export async function plenigoSim(token: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`https://${PLENIGO_HOST}${path}${path.includes('?') ? '&' : '?'}account=${token}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`plenigo simulator ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

export async function plenigoAccount(options: Record<string, unknown> = {}): Promise<string> {
  const token = uniqueName('plenigo-token')
  await plenigoSim(token, '/_sim/account', { token, ...options })
  return token
}

export const defaultSettings = {
  baseUrl: PLENIGO_BASE_URL,
  offerMap: { 'ABO-DIGITAL': OFFER_A, 'ABO-PRINT': OFFER_B },
  paymentMethodMap: { paypal: 'PAYPAL', shopify_payments: 'CREDIT_CARD', default: 'BILLING' },
}

export function plenigoContext(
  token: string,
  settings: Record<string, unknown> = {},
  options: { timeoutMs?: number; now?: () => Date } = {}
): ConnectorContext<PlenigoCredentials, PlenigoSettings> {
  const parsed = plenigoConnector.settingsSchema.parse({ ...defaultSettings, ...settings })
  return {
    connection: { id: 'con_plenigo_test', tenantId: 'ten_plenigo_test', platform: 'plenigo' },
    credentials: plenigoConnector.credentialsSchema.parse({ apiToken: token }),
    settings: parsed,
    http: createHttpClient({
      baseUrl: parsed.baseUrl!,
      timeoutMs: options.timeoutMs ?? 5_000,
      maxInlineWaitSeconds: 0,
    }),
    session: { get: async () => null, set: async () => {} },
    pacer: pacerPort('plenigo'),
    now: options.now ?? (() => new Date()),
  }
}

/** Exactly-once steps of one hand-over, recorded in the test D1 like the dispatch consumer's. */
export function handoverSteps(orderId: string, owner = `handover:${uniqueName('ho')}`): OutboundSteps {
  return outboundSteps(database(env.DB), {
    tenantId: 'ten_plenigo_test',
    connectionId: 'con_plenigo_test',
    orderId,
    owner,
    action: 'handover:plenigo',
  })
}

export function handoverOrder(overrides: Partial<HandoverOrder> = {}): HandoverOrder {
  const id = overrides.id ?? `ord_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`
  return {
    id,
    tenantId: 'ten_plenigo_test',
    connectionId: 'con_shop',
    platform: 'shopify',
    externalId: '450789469',
    number: '#1001',
    createdAt: '2026-11-20T09:15:00.123Z',
    currency: 'EUR',
    status: 'new',
    total: '129.80',
    shippingCost: null,
    paymentMethod: 'paypal',
    customer: { firstName: 'Jana', lastName: 'Beispiel', email: `jana-${id.slice(-8)}@example.com`, phone: null },
    billingAddress: null,
    shippingAddress: null,
    lines: [
      line(id, 0, 'ABO-DIGITAL', 'Digital-Abo', 1),
      line(id, 1, 'ABO-PRINT', 'Print-Abo', 2),
      line(id, 2, 'MUG-1', 'Kaffeebecher', 1),
    ],
    ...overrides,
  }
}

export function line(orderId: string, position: number, sku: string | null, name: string, quantity: number) {
  return {
    id: `${orderId}:${position}`,
    sku,
    code: null,
    name,
    quantity,
    unitPrice: '9.90',
    total: (9.9 * quantity).toFixed(2),
    product: { type: 'single' as const, components: [] },
  }
}

export async function simRequests(token: string): Promise<{ violations: string[]; requests: any[] }> {
  return plenigoSim(token, '/_sim/requests')
}
