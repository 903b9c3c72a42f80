import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseJsonLosslessly } from '../../src/core/json'

/** What the parser promises, said the slow way: V8's reviver with source-text access. */
function parseWithReviver(text: string): unknown {
  return JSON.parse(text, ((_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) ? context!.source : value) as never)
}

/** JSON numbers as text: big integers, decimals with trailing zeros, exponents, plain ones. */
const numberText = fc.oneof(
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.stringMatching(/^[0-9]{1,4}$/)).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: -30, max: 30 })).map(([a, b]) => `${a}e${b}`),
  fc.integer().map(String)
)

/** JSON text with such numbers, and strings that look like numbers, at any depth. */
const jsonText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    numberText,
    fc.string().map((s) => JSON.stringify(s)),
    numberText.map((n) => JSON.stringify(`${n} "quoted" \\ ${n}`)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value')).map((items) => `[${items.join(', ')}]`),
    fc
      .array(fc.tuple(fc.string(), tie('value')))
      .map((entries) => `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${item}`).join(',')}}`)
  ),
})).value

describe('parseJsonLosslessly', () => {
  it('keeps ids beyond 2^53 and decimals as their source text, and safe integers as numbers', () => {
    expect(
      parseJsonLosslessly('{"id": 12345678901234567890, "price": 30.000, "rate": 1.5, "n": 7, "e": 1e3, "s": "2.50"}')
    ).toEqual({ id: '12345678901234567890', price: 30, rate: '1.5', n: 7, e: 1000, s: '2.50' })
  })

  it('gives what the reviver with source access gives, for any JSON (property test)', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        expect(parseJsonLosslessly(text)).toEqual(parseWithReviver(text))
      }),
      { numRuns: 2000 }
    )
  })

  it('refuses what JSON.parse refuses, malformed numbers included', () => {
    for (const text of ['{"a": 1.2.3}', '[01]', '[1.]', '[-]', '[12345678901234567890.]', '{"a": 1', '"open']) {
      expect(() => parseJsonLosslessly(text), text).toThrow(SyntaxError)
    }
  })
})
