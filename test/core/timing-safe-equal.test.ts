/** Signature and token comparison goes through workerd's crypto.subtle.timingSafeEqual (issue 16). */
import { describe, expect, it } from 'vitest'
import { timingSafeEqual } from '../../src/core/crypto'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('timingSafeEqual', () => {
  it('is true for the same bytes, false for other bytes and for other lengths (never a throw)', () => {
    expect(timingSafeEqual(bytes('secret-1'), bytes('secret-1'))).toBe(true)
    expect(timingSafeEqual(bytes('secret-1'), bytes('secret-2'))).toBe(false)
    expect(timingSafeEqual(bytes('secret'), bytes('secret-1'))).toBe(false)
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
  })
})
