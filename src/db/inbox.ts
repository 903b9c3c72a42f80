/**
 * Intake's writes to the inbox for a delivery too large for a queue message: the row is stored
 * under its (connection, delivery key) first, so a redelivery finds it, and removed again when
 * its queue message could not be sent, so the platform's retry starts afresh.
 */
import { eq } from 'drizzle-orm'
import { randomId } from '../core/ids'
import type { Database } from './client'
import { inbox } from './schema'

export type InboxDelivery = {
  connectionId: string
  deliveryKey: string
  topic: string
  body: string
  receivedAt: string
}

/** The new row's id, or null when this delivery is already in the inbox. */
export async function storeDelivery(db: Database, delivery: InboxDelivery): Promise<string | null> {
  const id = randomId('inb')
  const stored = await db
    .insert(inbox)
    .values({ id, ...delivery })
    .onConflictDoNothing()
    .returning({ id: inbox.id })
  return stored.length ? id : null
}

export async function removeDelivery(db: Database, id: string) {
  await db.delete(inbox).where(eq(inbox.id, id))
}
