/**
 * Money as decimal strings (`"19.90"`), never floats. Arithmetic runs on BigInt minor units with
 * a fixed scale, which is all an order needs: sums and quantity × price.
 */
const SCALE = 4

function toUnits(amount: string | number): bigint {
  const text = String(amount).trim()
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text)
  if (!match || (match[2] === '' && !match[3])) throw new Error(`not a decimal amount: ${text}`)
  const whole = match[2] || '0'
  const fraction = (match[3] ?? '').padEnd(SCALE, '0')
  // Digits beyond the scale are rounded half up.
  let units = BigInt(whole + fraction.slice(0, SCALE))
  if (fraction.length > SCALE && Number(fraction[SCALE]) >= 5) units += 1n
  return match[1] ? -units : units
}

function fromUnits(units: bigint, decimals = 2): string {
  const negative = units < 0n
  let absolute = negative ? -units : units
  const drop = 10n ** BigInt(SCALE - decimals)
  absolute = (absolute + drop / 2n) / drop
  const text = absolute.toString().padStart(decimals + 1, '0')
  const result = decimals ? `${text.slice(0, -decimals)}.${text.slice(-decimals)}` : text
  return negative && absolute !== 0n ? `-${result}` : result
}

/** Normalises any decimal input to two places: `30.000` → `"30.00"`, `5` → `"5.00"`. */
export function toMoney(amount: string | number | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '0.00'
  return fromUnits(toUnits(amount))
}

export function isDecimal(amount: unknown): boolean {
  if (typeof amount !== 'string' && typeof amount !== 'number') return false
  try {
    toUnits(amount)
    return true
  } catch {
    return false
  }
}

export function multiplyMoney(amount: string, quantity: number): string {
  return fromUnits(toUnits(amount) * BigInt(quantity))
}

export function sumMoney(amounts: string[]): string {
  return fromUnits(amounts.reduce((sum, amount) => sum + toUnits(amount), 0n))
}
