/** The delivery page's indented body: exactly the platform's tokens, only the layout changed. */
import { describe, expect, it } from 'vitest'
import { prettyJson } from '../../src/delivery-log/pretty-json'

describe('prettyJson', () => {
  it('indents without touching numbers past 2^53, escapes or strings with structure in them', () => {
    const raw = '{"id":820982911946154508,"note":"a, b: {c} [d] \\"e\\"","lines":[],"o":{},"n":[1,2.50]}'
    expect(prettyJson(raw)).toBe(
      [
        '{',
        '  "id": 820982911946154508,',
        '  "note": "a, b: {c} [d] \\"e\\"",',
        '  "lines": [],',
        '  "o": {},',
        '  "n": [',
        '    1,',
        '    2.50',
        '  ]',
        '}',
      ].join('\n')
    )
  })

  it('gives back text that is not JSON as it is', () => {
    expect(prettyJson('{not json')).toBe('{not json')
    expect(prettyJson('a=1&b=2')).toBe('a=1&b=2')
  })

  it('reads its own output as the same JSON', () => {
    const raw = JSON.stringify({ a: [{ b: null, c: true }, 'x'], d: { e: [[]] } })
    expect(JSON.parse(prettyJson(raw))).toEqual(JSON.parse(raw))
  })
})
