/** CA2: the connection's status map read in both directions. Pure. */
import type { OrderStatus } from '../../core/model'
import type { CartumSettings } from './schemas'

export function cartumStatusToKontor(statusMap: CartumSettings['statusMap'], cartumStatus: number): OrderStatus | null {
  const match = Object.entries(statusMap).find(([, id]) => id === cartumStatus)
  return match ? (match[0] as OrderStatus) : null
}

export function kontorStatusToCartum(statusMap: CartumSettings['statusMap'], status: OrderStatus): number | null {
  return statusMap[status] ?? null
}
