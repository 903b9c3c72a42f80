/**
 * DL1 / DL2: delivery details become a comment event on the order, and a new comment when
 * they change. Pure text formatting, so the operator reads the same thing everywhere.
 */
import type { Address, Delivery } from '../core/model'

function formatAddress(address: Address | null): string | null {
  if (!address) return null
  const name = [address.firstName, address.lastName].filter(Boolean).join(' ')
  const street = [address.street, address.houseNumber].filter(Boolean).join(' ')
  const city = [address.postcode, address.city].filter(Boolean).join(' ')
  const parts = [
    address.company,
    name,
    address.kind,
    street,
    address.street2,
    city,
    address.region,
    address.countryCode ?? address.country,
  ]
  return parts.filter((part) => part && String(part).trim()).join(', ') || null
}

export function deliveryComment(delivery: Delivery): string {
  const lines = [
    `Carrier: ${delivery.carrier ?? 'not specified'}`,
    `Delivery cost: ${delivery.cost ?? 'not specified'}`,
    `Recipient: ${formatAddress(delivery.address) ?? 'not specified'}`,
  ]
  return `Delivery details\n${lines.join('\n')}`
}

export function sameDelivery(a: Delivery | null, b: Delivery | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}
