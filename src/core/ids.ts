/**
 * Ids Kontor makes. Random ones for things created once (tenants, tokens, connections); derived
 * ones for things an import may meet twice (orders, products, customers, categories): the same
 * input always gives the same id, so concurrent imports converge on one row instead of racing.
 */
import { sha256Hex } from './crypto'

export function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `${prefix}_${Array.from(bytes, (byte) => byte.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 20)}`
}

export async function derivedId(prefix: string, ...parts: string[]): Promise<string> {
  return `${prefix}_${(await sha256Hex(parts.join('\u001f'))).slice(0, 24)}`
}
