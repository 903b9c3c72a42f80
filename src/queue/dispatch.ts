/**
 * The DISPATCH consumer: everything that leaves the hub for a destination or a hub endpoint —
 * hand-overs, cancellations, the poll of a destination's reports, hub webhook deliveries, products
 * to the warehouse. Each
 * works from its D1 row, so a repeated message finds the work done and does nothing.
 */
import type { Bindings } from '../env'
import { giveUpCancel, runCancel } from '../handover/cancel'
import { giveUpHandover, runHandover } from '../handover/hand-over'
import { runUpdate } from '../handover/update'
import { pollDestination } from '../handover/record-reports'
import { deliverHubWebhook, giveUpDelivery } from '../hub/deliver'
import { sendProductsToWarehouse } from '../warehouse/send-products'
import type { DispatchMessage } from './messages'
import { releaseAfterGivingUp } from '../hub/backlog'
import { database } from '../db/client'

export async function handleDispatchMessage(env: Bindings, message: DispatchMessage) {
  switch (message.type) {
    case 'handover':
      return runHandover(env, message.handoverId)
    case 'cancel':
      return runCancel(env, message.handoverId)
    case 'update':
      return runUpdate(env, message.handoverId)
    case 'destination-poll':
      return pollDestination(env, message.connectionId)
    case 'hub-delivery':
      return deliverHubWebhook(env, message.deliveryId)
    case 'warehouse-products':
      return sendProductsToWarehouse(env, message.destinationId)
  }
}

/** What a given-up message leaves visible besides its dead letter. */
export async function onDispatchDeadLetter(env: Bindings, message: DispatchMessage, error: string) {
  if (message.type === 'handover') await giveUpHandover(env, message.handoverId, error)
  if (message.type === 'cancel') await giveUpCancel(env, message.handoverId, error)
  if (message.type === 'hub-delivery') {
    await giveUpDelivery(env, message.deliveryId, error)
    await releaseAfterGivingUp(database(env.DB), env.DISPATCH, message.deliveryId)
  }
}
