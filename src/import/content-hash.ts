/**
 * The fingerprint an import compares to decide whether the platform changed an order. It hashes
 * a versioned projection of the order, not the whole canonical model: a field added to the model
 * enters no fingerprint until the projection's version is raised on purpose, so a model change
 * does not make every order look changed and re-import once as `updated` (issue 16).
 *
 * Inside the projection, nested values are written with sorted keys and without null or absent
 * members, so a new optional member of an address or a line that a platform leaves empty changes
 * nothing either. Fingerprints stored before versions existed are recognised (`matchesStored`).
 */
import { sha256Hex } from '../core/crypto'
import type { IncomingOrder } from '../core/model'

const PROJECTION_VERSION = 'v1'

/** v1: what a platform change of an order is made of. Its clock (`updatedAt`) is not. */
function projectionV1(order: IncomingOrder) {
  return {
    externalId: order.externalId,
    number: order.number,
    createdAt: order.createdAt,
    currency: order.currency,
    platformStatus: order.platformStatus,
    status: order.status,
    orderType: order.orderType,
    total: order.total,
    shippingCost: order.shippingCost,
    customer: order.customer,
    billingAddress: order.billingAddress,
    shippingAddress: order.shippingAddress,
    lines: order.lines,
    delivery: order.delivery,
    tracking: order.tracking,
    paymentMethod: order.paymentMethod,
  }
}

/** JSON with sorted keys, leaving out null and absent members (arrays keep every position). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== null && member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value)
}

export async function orderContentHash(order: IncomingOrder): Promise<string> {
  return `${PROJECTION_VERSION}:${await sha256Hex(canonicalJson(projectionV1(order)))}`
}

/** The fingerprint as it was computed before projections: the whole order but its clock. */
async function unversionedHash(order: IncomingOrder): Promise<string> {
  const { updatedAt: _updatedAt, ...content } = order
  return sha256Hex(JSON.stringify(content))
}

/**
 * Whether the stored fingerprint says the order is as the platform sends it now. A fingerprint
 * from before versions is checked the old way, so that no order looks changed by the switch.
 */
export async function matchesStored(stored: string | null, current: string, order: IncomingOrder): Promise<boolean> {
  if (stored === current) return true
  if (!stored || stored.includes(':')) return false
  return stored === (await unversionedHash(order))
}
