/**
 * A platform resource that does not parse is rejected and logged with its first problem, never
 * dropped in silence. Shared by every connector's page reader.
 */
import type { ZodError } from 'zod'
import type { ImportKind, ImportRecord } from '../core/model'

export function unreadableRecord(about: ImportKind, externalId: string | null, error: ZodError): ImportRecord {
  const issue = error.issues[0]
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
  return {
    kind: 'decision',
    about,
    externalId,
    result: 'rejected',
    reason: `unreadable ${about}: ${where}${issue?.message ?? 'invalid'}`,
  }
}
