/**
 * Writing the delivery log (issue 19): every inbound webhook request, accepted or refused.
 *
 * An accepted delivery costs intake no D1 round trip: its request facts travel in the INGEST
 * message and the consumer writes the row in the same batch as the inbox row (`acceptedStatement`),
 * keyed by the request's id, so a retried message records it once. A refused request is
 * unauthenticated input, so what it may cost is bounded: it is recorded only for a connection that
 * exists, with at most STORED_BODY_BYTES of its body, and at most REFUSED_PER_MINUTE per connection
 * and minute; past that, the minute's last recorded refusal counts the rest (`unrecorded`). The
 * check and the write are one statement, so concurrent refusals cannot pass the cap together.
 */
import { sql } from 'drizzle-orm'
import { randomId } from '../core/ids'
import { logger } from '../core/logger'
import type { Database } from '../db/client'
import { inboundDeliveries } from '../db/schema'
import { writeBatch } from '../db/write-batch'
import { maskedHeaders, maskedUrl } from './mask'

export const REFUSED_PER_MINUTE = 20
export const STORED_BODY_BYTES = 8 * 1024

/** What the log keeps of a request whatever became of it; small enough to ride in a queue message. */
export type RequestRecord = {
  id: string
  tenantId: string
  method: string
  url: string
  headers: [string, string][]
  bodyBytes: number
}

export type Answer = { status: number; body: string }

/** The answer intake gives a delivery the queue took (also what the consumer records for it). */
export const ACCEPTED_ANSWER: Answer = { status: 202, body: JSON.stringify({ accepted: true }) }

export function requestRecord(request: Request, tenantId: string, bodyBytes: number): RequestRecord {
  return {
    id: randomId('ind'),
    tenantId,
    method: request.method,
    url: maskedUrl(request.url),
    headers: maskedHeaders(request.headers),
    bodyBytes,
  }
}

type Delivered = {
  connectionId: string
  receivedAt: string
  request: RequestRecord
  answer: Answer
  reason?: string | null
}

function row(entry: Delivered) {
  const { request, answer } = entry
  return {
    id: request.id,
    tenantId: request.tenantId,
    connectionId: entry.connectionId,
    receivedAt: entry.receivedAt,
    method: request.method,
    url: request.url,
    headers: request.headers,
    answerStatus: answer.status,
    answerBody: answer.body,
    bodyBytes: request.bodyBytes,
    reason: entry.reason ?? null,
  }
}

/** A verified delivery with a delivery key: its body is the inbox row's. Idempotent by request id. */
export function acceptedStatement(db: Database, entry: Delivered & { deliveryKey: string; topic: string }) {
  return db
    .insert(inboundDeliveries)
    .values({
      ...row(entry),
      result: 'accepted',
      verification: 'verified',
      deliveryKey: entry.deliveryKey,
      topic: entry.topic,
    })
    .onConflictDoNothing()
}

/** A verified request answered 2xx that is not imported (a ping, an ignored topic): no inbox row. */
export async function recordAnsweredOnly(db: Database, entry: Delivered & { reason: string; body: Uint8Array }) {
  await guarded(entry, () =>
    db.insert(inboundDeliveries).values({
      ...row(entry),
      result: 'accepted',
      verification: 'verified',
      body: truncatedBody(entry.body),
    })
  )
}

/** Recorded anyway when a delivery is accepted but recording it fails: the answer must not change. */
async function guarded(entry: Delivered, write: () => Promise<unknown>) {
  try {
    await write()
  } catch (error) {
    logger.error('delivery log: could not record a request', {
      connectionId: entry.connectionId,
      status: entry.answer.status,
      error: String(error),
    })
  }
}

const decoder = new TextDecoder()

function truncatedBody(body: Uint8Array | null): string | null {
  if (!body) return null
  return decoder.decode(body.subarray(0, STORED_BODY_BYTES))
}

/** The start of the minute `at` falls in, as the ISO text it is compared with. */
export function minuteOf(at: string): string {
  return `${at.slice(0, 16)}:00.000Z`
}

export async function recordRefused(
  db: Database,
  entry: Delivered & {
    reason: string
    verification: 'verified' | 'failed' | 'not checked'
    /** Null when it was refused before its body was read (declared too large). */
    body: Uint8Array | null
  }
) {
  const values = { ...row(entry), result: 'refused', verification: entry.verification, body: truncatedBody(entry.body) }
  const minute = minuteOf(entry.receivedAt)
  const ofTheMinute = sql`connection_id = ${entry.connectionId} and result = 'refused' and received_at >= ${minute}`
  await guarded(entry, () =>
    writeBatch(db, [
      db.run(sql`insert into ${inboundDeliveries}
        (id, tenant_id, connection_id, received_at, method, url, headers, result, verification, reason,
         answer_status, answer_body, body, body_bytes)
        select ${values.id}, ${values.tenantId}, ${values.connectionId}, ${values.receivedAt}, ${values.method},
          ${values.url}, ${JSON.stringify(values.headers)}, ${values.result}, ${values.verification}, ${values.reason},
          ${values.answerStatus}, ${values.answerBody}, ${values.body}, ${values.bodyBytes}
        where (select count(*) from ${inboundDeliveries} where ${ofTheMinute}) < ${REFUSED_PER_MINUTE}`),
      db.run(sql`update ${inboundDeliveries} set unrecorded = unrecorded + 1
        where id = (select id from ${inboundDeliveries} where ${ofTheMinute} order by received_at desc, id desc limit 1)
          and not exists (select 1 from ${inboundDeliveries} where id = ${values.id})`),
    ])
  )
}
