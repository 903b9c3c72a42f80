/**
 * Size limits of API request bodies. Every field and array a caller sends is bounded, so a large
 * or deep body is a 400 that names the field (or a 413 for the body as a whole), never a 500
 * from D1's limits (bound variables, row size) or half-written state.
 */
import { z } from '@hono/zod-openapi'

/** The whole body of an API request (bodyLimit middleware on /api/v1 answers 413 above it). */
export const MAX_API_BODY_BYTES = 256 * 1024
/** Connection ids in `routes`: each one is a bound variable of one D1 query. */
export const MAX_ROUTES = 50
/** A credential value (tokens, passwords, URLs) or a setting's text. */
export const MAX_VALUE_CHARS = 2048
/** Keys of credentials or settings. */
export const MAX_KEYS = 50
export const MAX_KEY_CHARS = 100
/** Nesting of settings (e.g. `initialStatus` per order type, `statusMap`). */
export const MAX_DEPTH = 4
export const MAX_ARRAY_ITEMS = 100
export const MAX_TRACKING = 100
export const MAX_TRACKING_NUMBER_CHARS = 100
export const MAX_MESSAGE_CHARS = 5000
export const MAX_EVENT_LINES = 1000

type Issue = { path: (string | number)[]; message: string }

/** What exceeds a limit inside a JSON value, with the path to it. */
function oversized(value: unknown, path: (string | number)[], depth: number): Issue | null {
  if (typeof value === 'string') {
    return value.length > MAX_VALUE_CHARS ? { path, message: `at most ${MAX_VALUE_CHARS} characters` } : null
  }
  if (value === null || typeof value !== 'object') return null
  if (depth >= MAX_DEPTH) return { path, message: `nested at most ${MAX_DEPTH} levels deep` }
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_ITEMS) return { path, message: `at most ${MAX_ARRAY_ITEMS} items` }
    for (const [index, item] of value.entries()) {
      const issue = oversized(item, [...path, index], depth + 1)
      if (issue) return issue
    }
    return null
  }
  const entries = Object.entries(value)
  if (entries.length > MAX_KEYS) return { path, message: `at most ${MAX_KEYS} keys` }
  for (const [key, item] of entries) {
    if (key.length > MAX_KEY_CHARS) return { path, message: `keys of at most ${MAX_KEY_CHARS} characters` }
    const issue = oversized(item, [...path, key], depth + 1)
    if (issue) return issue
  }
  return null
}

/** An object of credentials or settings, every key, value, array and nesting level bounded. */
export const BoundedRecord = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  const issue = oversized(value, [], 0)
  if (issue) context.addIssue({ code: 'custom', path: issue.path, message: issue.message })
})

/** A connection id in `routes`. */
export const RouteId = z.string().min(1).max(100)

/** A link for people (tracking pages): http or https only, never `javascript:` or `data:`. */
export const WebLink = z
  .string()
  .max(MAX_VALUE_CHARS)
  .refine((value) => {
    try {
      const url = new URL(value)
      return url.protocol === 'https:' || url.protocol === 'http:'
    } catch {
      return false
    }
  }, 'an http or https URL')
