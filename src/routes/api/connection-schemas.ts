/**
 * What a tenant sends to create or change a connection: the one pair of zod schemas that both
 * POST/PATCH /api/v1/connections and the dashboard's connection forms validate with. The
 * connector's own schemas check credentials and settings after these (src/connection-setup/).
 */
import { z } from '@hono/zod-openapi'
import { BoundedRecord, MAX_ROUTES, RouteId } from './limits'

export const CreateConnection = z.object({
  platform: z.string().max(50),
  name: z.string().min(1).max(200),
  credentials: BoundedRecord,
  settings: BoundedRecord.default({}),
  routes: z.array(RouteId).max(MAX_ROUTES).default([]),
})

export const UpdateConnection = z.object({
  name: z.string().min(1).max(200).optional(),
  credentials: BoundedRecord.optional(),
  settings: BoundedRecord.optional(),
  routes: z.array(RouteId).max(MAX_ROUTES).optional(),
})
