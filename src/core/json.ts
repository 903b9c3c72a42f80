/**
 * JSON parsing that loses nothing: numbers a float cannot hold exactly, integers beyond 2^53
 * (Shopify ids) and decimals (money such as `12.50`), keep their source text instead of being
 * rounded. One pass over the text finds the number tokens outside strings and quotes those that
 * are not safe integers; then the native JSON.parse does the rest. A reviver with source-text
 * access (`context.source`) gives the same result, but costs five times as much (V8 builds a
 * context object for every value), and it was the largest part of a Shopify order's CPU.
 */

const QUOTE = 34
const BACKSLASH = 92
const MINUS = 45
const ZERO = 48
const NINE = 57
const DOT = 46
const PLUS = 43
const LOWER_E = 101
const UPPER_E = 69

/** Digits a safe integer can have at most, without a sign (2^53 - 1 has 16). */
const SAFE_DIGITS = 15

/** A JSON number; anything else is left alone for JSON.parse to refuse. */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

function quoteUnsafeNumbers(text: string): string {
  let quoted = ''
  let copiedUntil = 0
  let at = 0
  while (at < text.length) {
    const char = text.charCodeAt(at)
    if (char === QUOTE) {
      // Skip the string, escapes included: digits inside strings are text already.
      at++
      while (at < text.length) {
        const inside = text.charCodeAt(at)
        at += inside === BACKSLASH ? 2 : 1
        if (inside === QUOTE) break
      }
      continue
    }
    if (char === MINUS || (char >= ZERO && char <= NINE)) {
      const start = at
      let integer = true
      at++
      for (; at < text.length; at++) {
        const next = text.charCodeAt(at)
        if (next >= ZERO && next <= NINE) continue
        if (next === DOT || next === LOWER_E || next === UPPER_E || next === PLUS || next === MINUS) integer = false
        else break
      }
      // Short integers are always safe; everything else is checked (1e3 and 30.0 are safe too).
      if (!integer || at - start > SAFE_DIGITS) {
        const token = text.slice(start, at)
        if (JSON_NUMBER.test(token) && !Number.isSafeInteger(Number(token))) {
          quoted += `${text.slice(copiedUntil, start)}"${token}"`
          copiedUntil = at
        }
      }
      continue
    }
    at++
  }
  return copiedUntil === 0 ? text : quoted + text.slice(copiedUntil)
}

export function parseJsonLosslessly(text: string): unknown {
  return JSON.parse(quoteUnsafeNumbers(text))
}
