/** Operator-only maintenance: moving every ciphertext to the newest encryption key. */
import { createRoute, z } from '@hono/zod-openapi'
import { keyringOf } from '../../core/crypto'
import { reEncryptAll } from '../../db/re-encrypt'
import { actorOf, auditStatement } from '../../audit/audit-log'
import { requireOperator } from './auth'
import { dbOf } from './context'
import { apiRouter } from './router'
import { errorResponses, json } from './schemas'

const Counts = z
  .object({
    credentials: z.number().int(),
    sessionState: z.number().int(),
    webhookSecrets: z.number().int(),
    previousWebhookSecrets: z.number().int().openapi({ description: 'Hub secrets before a rotation, while they sign' }),
  })
  .openapi('SealedCounts')

const ReEncryptResult = z
  .object({
    reEncrypted: Counts.openapi({ description: 'Ciphertexts sealed again with the newest key by this call' }),
    failed: Counts.openapi({ description: 'Ciphertexts no configured key opens (logged with their row id)' }),
    remaining: Counts.openapi({ description: 'Ciphertexts still not sealed with the newest key; call again' }),
  })
  .openapi('ReEncryptResult')

export const adminRoutes = apiRouter().openapi(
  createRoute({
    method: 'post',
    path: '/admin/re-encrypt',
    operationId: 'reEncrypt',
    tags: ['operations'],
    summary: 'Seal every stored secret with the newest key of ENCRYPTION_KEYS (operator)',
    description:
      'Connection credentials, session state and hub endpoint secrets, up to 1,000 of each per call. ' +
      'The cron does the same in batches of 50 every minute. Once `remaining` is all zero, the older keys can be dropped.',
    responses: { 200: json(ReEncryptResult, 'What moved, and what is left'), ...errorResponses },
  }),
  async (c) => {
    requireOperator(c.get('caller'))
    const db = dbOf(c)
    const audit = auditStatement(db, actorOf(c.get('caller')), {
      tenantId: null,
      action: 're_encryption.run',
      targetId: 'encryption-keys',
    })
    return c.json(await reEncryptAll(db, keyringOf(c.env), undefined, [audit]), 200)
  }
)
