/**
 * JSON as Shopify writes it. Ids are int64, so integers beyond 2^53 are read as strings (instead
 * of being rounded) and written back as bare numbers; webhook bodies escape `/` and `&` the way
 * Shopify's serializer does, which is why a receiver must verify the raw bytes.
 */

/** JSON.parse, but integer literals beyond Number.MAX_SAFE_INTEGER become strings of their digits. */
export function parseLossless(text: string): unknown {
  let out = ''
  let start = 0
  let index = 0
  while (index < text.length) {
    const char = text[index]
    if (char === '"') {
      index++
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1
      index++
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index, index + 400))
      const literal = match ? match[0] : char
      if (match && !match[1] && !match[2] && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(start, index) + `"${literal}"`
        start = index + literal.length
      }
      index += literal.length
    } else {
      index++
    }
  }
  return JSON.parse(out + text.slice(start))
}

const DIGITS = /^-?\d+$/

function isIdKey(key: string | undefined): boolean {
  return key !== undefined && (key === 'id' || key.endsWith('_id'))
}

/**
 * Serialises `value`; digit-only strings under `id` / `*_id` keys are written as bare numbers, so
 * `"12345678901234567890"` goes on the wire as `12345678901234567890`. With `shopifyEscapes`, `/`
 * becomes `\/` and `&` becomes `\u0026`.
 */
export function toShopifyJson(value: unknown, options: { shopifyEscapes?: boolean } = {}): string {
  const escapeString = (text: string) => {
    const json = JSON.stringify(text)
    return options.shopifyEscapes ? json.replace(/\//g, '\\/').replace(/&/g, '\\u0026') : json
  }
  const write = (item: unknown, key: string | undefined): string | undefined => {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') return undefined
    if (item === null) return 'null'
    if (typeof item === 'bigint') return item.toString()
    if (typeof item === 'string') return isIdKey(key) && DIGITS.test(item) ? item : escapeString(item)
    if (typeof item === 'number') return Number.isFinite(item) ? String(item) : 'null'
    if (typeof item === 'boolean') return String(item)
    if (Array.isArray(item)) return `[${item.map((element) => write(element, key) ?? 'null').join(',')}]`
    if (item instanceof Date) return escapeString(item.toISOString())
    const parts: string[] = []
    for (const [name, child] of Object.entries(item as Record<string, unknown>)) {
      const written = write(child, name)
      if (written !== undefined) parts.push(`${escapeString(name)}:${written}`)
    }
    return `{${parts.join(',')}}`
  }
  return write(value, undefined) ?? 'null'
}

/** Orders by numeric value of possibly-huge integer ids (numbers or digit strings). */
export function compareIds(a: unknown, b: unknown): number {
  const left = BigInt(String(a))
  const right = BigInt(String(b))
  return left < right ? -1 : left > right ? 1 : 0
}

export function isIntegerId(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^\d+$/.test(value))
  )
}
