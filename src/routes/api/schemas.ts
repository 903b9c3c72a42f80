/** zod schemas shared by API routes; they validate requests and generate openapi.json. */
import { z } from '@hono/zod-openapi'

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi('Error')

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or unknown token', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'The token lacks the scope', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: "Not found (or another tenant's)", content: { 'application/json': { schema: ErrorSchema } } },
} as const

/** What apiRouter() adds to every route (see router.ts): 413 and 415 only where there is a body. */
export const commonErrorResponses = {
  401: errorResponses[401],
  403: errorResponses[403],
  413: { description: 'The body is too large', content: { 'application/json': { schema: ErrorSchema } } },
  415: {
    description: 'The body is not application/json',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  500: {
    description: 'Something failed on our side (no details are given)',
    content: { 'application/json': { schema: ErrorSchema } },
  },
} as const

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

export const CursorQuery = {
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { 'application/json': { schema } } } }
}

export const Anything = z.record(z.string(), z.unknown())
