/**
 * Issue 16, part A: each finding on the hand-over, write-back and hub side, with a test that
 * failed before the claim mechanism (src/exactly-once/) and passes with it. The use cases run
 * in workerd against real D1 and the Wemalo simulator; failures are injected through a D1
 * binding that refuses the batch writing the order event.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { shopifyOrderToCanonical } from '../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../src/connectors/shopify/schemas'
import { RetryableError } from '../../src/core/errors'
import { database } from '../../src/db/client'
import { outboundSteps } from '../../src/exactly-once/steps'
import { runCancel } from '../../src/handover/cancel'
import { runHandover } from '../../src/handover/hand-over'
import { handoversToPoll, recordReports } from '../../src/handover/record-reports'
import { runUpdate } from '../../src/handover/update'
import { giveUpDelivery } from '../../src/hub/deliver'
import { replayHubDelivery } from '../../src/hub/replay-delivery'
import { importRecords } from '../../src/import/import-records'
import { replayDeadLetter } from '../../src/queue/replay'
import { rows, runCron, simulatorCall, uniqueName } from '../helpers'
import { importTarget } from '../import/fixtures'
import { orderJson } from '../e2e/shopify-support'
import { shopifyAndWemalo } from '../e2e/wemalo-support'

const WEMALO_TOKEN = 'wemalo-jwt-findings'

/** A tenant with a Wemalo destination and a Shopify source routed to it; orders are imported directly. */
async function routed() {
  const { tenant, destination, source, wemaloHost } = await shopifyAndWemalo({
    token: WEMALO_TOKEN,
    wemaloSettings: { registerWebhooks: false },
    routed: false,
  })
  const target = importTarget({ tenantId: tenant.id, connectionId: source.id, routes: [destination.id], settings: {} })
  const importOrder = async (fields: Record<string, unknown>) =>
    importRecords(database(env.DB), target, [
      { kind: 'order', order: shopifyOrderToCanonical(shopifyOrderSchema.parse(JSON.parse(orderJson(fields as any)))) },
    ])
  const goodsOrders = async (orderId: string) =>
    ((await simulatorCall(wemaloHost, '/_sim/goodsOrders')).goodsOrders as any[]).filter(
      (order) => order.externalId === orderId
    )
  return { tenant, destination, source, importOrder, goodsOrders, wemaloHost }
}

async function handedOverOrder() {
  const setup = await routed()
  const id = 780000 + Math.floor(Math.random() * 9999)
  const summary = await setup.importOrder({ id, currency: 'EUR' })
  return { ...setup, id, orderId: summary.orders[0].orderId, handoverId: summary.followUps.handoverIds[0] }
}

/** The Worker's env with a D1 binding that fails every batch writing an order event. */
function envFailingEventWrites() {
  const queries = new WeakMap<object, string>()
  const wrap = (statement: D1PreparedStatement, query: string): D1PreparedStatement => {
    const proxy: D1PreparedStatement = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), query)
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    queries.set(proxy, query)
    return proxy
  }
  const DB = new Proxy(env.DB, {
    get(target, key) {
      if (key === 'prepare') return (query: string) => wrap(target.prepare(query), query)
      if (key === 'batch')
        return async (list: D1PreparedStatement[]) => {
          if (list.some((statement) => queries.get(statement)?.includes('insert into "order_events"')))
            throw new Error('D1_ERROR: injected failure during the event write')
          return target.batch(list)
        }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { ...env, DB } as typeof env
}

const eventCount = async (orderId: string, type: string) =>
  (await rows('select count(*) as n from order_events where order_id = ? and type = ?', orderId, type))[0].n

describe('issue 16, part A: exactly once at the hand-over, write-back and hub edges', () => {
  it('finding 3: a step started under a live lease is a lock — a second claim neither runs it nor skips it', async () => {
    const db = database(env.DB)
    const scope = {
      tenantId: 'tnt_x',
      connectionId: 'con_x',
      orderId: null,
      owner: `test:${uniqueName()}`,
      action: 'test',
    }
    let calls = 0
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const first = outboundSteps(db, scope).once('call', async () => {
      calls++
      await gate
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const second = await outboundSteps(db, scope)
      .once('call', async () => {
        calls++
      })
      .catch((error: unknown) => error)
    expect(second).toBeInstanceOf(RetryableError)
    open()
    expect(await first).toEqual({ skipped: false })
    expect(await outboundSteps(db, scope).once('call', async () => void calls++)).toEqual({ skipped: true })
    expect(calls).toBe(1)
  })

  it('finding 3: a step whose lease ran out is claimed again and asks the platform (alreadyDone) first', async () => {
    const db = database(env.DB)
    const scope = {
      tenantId: 'tnt_x',
      connectionId: 'con_x',
      orderId: null,
      owner: `test:${uniqueName()}`,
      action: 'test',
    }
    // An attempt that made the call and died before recording it (lease of 1 ms, long gone).
    await outboundSteps(db, scope, { leaseMs: 1 })
      .once('call', async () => {
        await env.DB.prepare("update outbound_calls set result = 'started' where step_key = ?")
          .bind(`${scope.owner}:call`)
          .run()
        throw new Error('isolate died')
      })
      .catch(() => undefined)
    await env.DB.prepare("update outbound_calls set result = 'started' where step_key = ?")
      .bind(`${scope.owner}:call`)
      .run()
    let ran = 0
    const again = await outboundSteps(db, scope).once('call', async () => void ran++, { alreadyDone: async () => true })
    expect(again).toEqual({ skipped: true })
    expect(ran).toBe(0)
  })

  it('finding 6: the event write fails — the hand-over state is not committed without its handed_over event', async () => {
    const { orderId, handoverId, goodsOrders } = await handedOverOrder()
    await expect(runHandover(envFailingEventWrites(), handoverId)).rejects.toThrow(/injected/)
    expect((await rows('select state, lease_until from handovers where id = ?', handoverId))[0]).toMatchObject({
      state: 'pending',
    })
    expect(await eventCount(orderId, 'handed_over')).toBe(0)
    // The retry (the queue's) finds it claimable, confirms it once, and writes the event once.
    await runHandover(env, handoverId)
    expect((await rows('select state from handovers where id = ?', handoverId))[0].state).toBe('confirmed')
    expect(await eventCount(orderId, 'handed_over')).toBe(1)
    expect(await goodsOrders(orderId)).toHaveLength(1)
  })

  it('finding 2: a replayed dead letter of a failed hand-over never ships an order cancelled meanwhile', async () => {
    const { orderId, handoverId, goodsOrders } = await handedOverOrder()
    // Failed for good earlier, then the shop cancelled the order.
    await env.DB.prepare("update handovers set state = 'failed' where id = ?").bind(handoverId).run()
    await env.DB.prepare("update orders set status = 'cancelled' where id = ?").bind(orderId).run()
    await runHandover(env, handoverId)
    expect(await goodsOrders(orderId)).toHaveLength(0)
    expect((await rows('select state from handovers where id = ?', handoverId))[0].state).toBe('failed')
  })

  it('finding 2: a hand-over refused for address_error runs again once the shop fixes the address', async () => {
    const { importOrder, goodsOrders } = await routed()
    const id = 781000 + Math.floor(Math.random() * 999)
    const first = await importOrder({ id, currency: 'EUR', shipping_address: null, billing_address: null })
    const [orderId, handoverId] = [first.orders[0].orderId, first.followUps.handoverIds[0]]
    await runHandover(env, handoverId)
    expect((await rows('select state from handovers where id = ?', handoverId))[0].state).toBe('failed')
    expect(await eventCount(orderId, 'address_error')).toBe(1)

    const fixed = await importOrder({ id, currency: 'EUR', updated_at: '2099-01-01T00:00:00Z' })
    expect(fixed.followUps.changedHandoverIds).toEqual([handoverId])
    await runUpdate(env, handoverId)
    expect((await rows('select state from handovers where id = ?', handoverId))[0].state).toBe('confirmed')
    expect(await goodsOrders(orderId)).toHaveLength(1)
  })

  it('finding 5: the second change after a hand-over reaches Wemalo, and a lost update message is swept', async () => {
    const { id, orderId, handoverId, importOrder } = await handedOverOrder()
    await runHandover(env, handoverId)
    const updates = async () =>
      (await rows("select result from outbound_calls where order_id = ? and action = 'update:wemalo'", orderId)).length
    await importOrder({ id, currency: 'EUR', note: 'first change', updated_at: '2099-01-01T00:00:00Z' })
    await runUpdate(env, handoverId)
    await importOrder({ id, currency: 'EUR', note: 'second change', updated_at: '2099-01-02T00:00:00Z' })
    await runUpdate(env, handoverId)
    expect(await updates()).toBe(2)
    // A third change whose message is lost: the cron's sweep sends it on.
    await importOrder({ id, currency: 'EUR', note: 'third change', updated_at: '2099-01-03T00:00:00Z' })
    await runCron(new Date(Date.now() + 10 * 60_000))
    await expect.poll(updates, { timeout: 20_000 }).toBe(3)
  })

  it('finding 8: a cancellation whose destination was deleted ends as cancel_failed, and the sweep stops', async () => {
    const { orderId, handoverId, destination } = await handedOverOrder()
    await runHandover(env, handoverId)
    await env.DB.prepare("update handovers set state = 'cancel_requested' where id = ?").bind(handoverId).run()
    await env.DB.prepare('update connections set deleted_at = ? where id = ?')
      .bind(new Date().toISOString(), destination.id)
      .run()
    await expect(runCancel(env, handoverId)).rejects.toThrow(/no longer exists/)
    expect((await rows('select state from handovers where id = ?', handoverId))[0].state).toBe('cancel_failed')
    expect(await eventCount(orderId, 'handover_failed')).toBe(1)
    await runCron(new Date(Date.now() + 10 * 60_000))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await eventCount(orderId, 'handover_failed')).toBe(1)
  })

  it('finding 3: two replays of one dead letter send it once (compare-and-set on replayed_at)', async () => {
    const id = `dl_${uniqueName()}`
    await env.DB.prepare(
      "insert into dead_letters (id, queue, body, error, attempts, created_at) values (?, 'dispatch', ?, 'x', 6, ?)"
    )
      .bind(id, JSON.stringify({ type: 'handover', handoverId: 'hov_none' }), new Date().toISOString())
      .run()
    let sent = 0
    const counting = { ...env, DISPATCH: { send: async () => void sent++ } } as unknown as typeof env
    const row = (await database(env.DB).query.deadLetters.findFirst({ where: (table, { eq }) => eq(table.id, id) }))!
    await Promise.all([
      replayDeadLetter(counting, database(env.DB), row),
      replayDeadLetter(counting, database(env.DB), row),
    ])
    expect(sent).toBe(1)
  })

  it('smaller: giveUpDelivery never overwrites a delivered hub delivery', async () => {
    const id = `whd_${uniqueName()}`
    const now = new Date().toISOString()
    await env.DB.prepare(
      "insert into webhook_deliveries (id, tenant_id, endpoint_id, event_key, type, order_id, state, attempts, created_at, updated_at) values (?, 't', 'e', ?, 'order.imported', 'o', 'delivered', 1, ?, ?)"
    )
      .bind(id, id, now, now)
      .run()
    await giveUpDelivery(env, id, 'retries exhausted')
    expect((await rows('select state from webhook_deliveries where id = ?', id))[0].state).toBe('delivered')
  })

  it('finding 7: past 200 confirmed hand-overs, a new one still reaches the destination poll (plenigo confirmations)', async () => {
    const destinationId = `con_${uniqueName()}`
    const old = '2026-01-01T00:00:00.000Z'
    const statements = []
    for (let index = 0; index <= 200; index++) {
      const orderId = `ord_${destinationId}_${index}`
      const state = index === 200 ? 'sent' : 'confirmed'
      const at = index === 200 ? new Date().toISOString() : old
      statements.push(
        env.DB.prepare(
          "insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at, currency, status, total, content_hash, imported_at, changed_at) values (?, 't', 'c', 'shopify', ?, ?, ?, ?, 'EUR', 'new', '1.00', 'h', ?, ?)"
        ).bind(orderId, orderId, orderId, at, at, at, at),
        env.DB.prepare(
          'insert into handovers (id, tenant_id, order_id, destination_id, state, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)'
        ).bind(`hov_${orderId}`, 't', orderId, destinationId, state, at, at)
      )
    }
    await env.DB.batch(statements)
    const open = await handoversToPoll(database(env.DB), destinationId)
    expect(open).toHaveLength(200)
    expect(open[0]).toMatchObject({ state: 'sent', orderId: `ord_${destinationId}_200` })
  })

  it('a failure injected at every step of a hand-over (before the call, after it with the answer lost, during the event write) still gives one goods order and one event', async () => {
    const { orderId, handoverId, goodsOrders, wemaloHost } = await handedOverOrder()
    // Before the call: Wemalo answers 500 and creates nothing.
    await simulatorCall(wemaloHost, '/_sim/faults', { path: '/goodsOrder/add', status: 500, times: 1 })
    await expect(runHandover(env, handoverId)).rejects.toThrow(/500/)
    // After the call, before the record: the goods order is created, the answer lost.
    await simulatorCall(wemaloHost, '/_sim/faults', { path: '/goodsOrder/add', mode: 'lost', status: 500, times: 1 })
    await expect(runHandover(env, handoverId)).rejects.toThrow(/500/)
    expect(await goodsOrders(orderId)).toHaveLength(1)
    // During the event write: the batch with the state and the event fails as a whole.
    await expect(runHandover(envFailingEventWrites(), handoverId)).rejects.toThrow(/injected/)
    expect((await rows('select state from handovers where id = ?', handoverId))[0].state).toBe('pending')
    await runHandover(env, handoverId)
    expect((await rows('select state, attempts from handovers where id = ?', handoverId))[0]).toEqual({
      state: 'confirmed',
      attempts: 4,
    })
    expect(await goodsOrders(orderId)).toHaveLength(1)
    expect(await eventCount(orderId, 'handed_over')).toBe(1)
    expect(await eventCount(orderId, 'handover_failed')).toBe(0)
  })

  it('smaller: a hub replay whose queue send fails does not stay pending for good', async () => {
    const id = `whd_${uniqueName()}`
    const at = '2026-01-01T00:00:00.000Z'
    await env.DB.prepare(
      "insert into webhook_deliveries (id, tenant_id, endpoint_id, event_key, type, order_id, state, attempts, created_at, updated_at) values (?, 't', 'e', ?, 'order.imported', 'o', 'failed', 6, ?, ?)"
    )
      .bind(id, id, at, at)
      .run()
    const failing = {
      send: async () => {
        throw new Error('queue unavailable')
      },
    } as unknown as Queue
    await expect(replayHubDelivery(database(env.DB), failing, { id, state: 'failed', updatedAt: at })).rejects.toThrow(
      /queue unavailable/
    )
    expect((await rows('select state from webhook_deliveries where id = ?', id))[0].state).toBe('failed')
  })

  it("smaller: plenigo's 97004 in the import log hands the order over again at once, not after 7 days", async () => {
    const { orderId, handoverId, destination, tenant } = await handedOverOrder()
    const stepKey = `handover:${handoverId}:import-order`
    await env.DB.batch([
      env.DB.prepare("update handovers set state = 'sent' where id = ?").bind(handoverId),
      env.DB.prepare(
        "insert into outbound_calls (id, tenant_id, connection_id, order_id, step_key, action, result, attempts, at) values (?, ?, ?, ?, ?, 'handover:plenigo:import-order', 'done', 1, ?)"
      ).bind(`out_${uniqueName()}`, tenant.id, destination.id, orderId, stepKey, new Date().toISOString()),
    ])
    const sent: unknown[] = []
    const counting = {
      ...env,
      DISPATCH: { send: async (body: unknown) => void sent.push(body) },
    } as unknown as typeof env
    const report = {
      kind: 'resend' as const,
      orderId,
      message: 'plenigo could not take the import (97004)',
      redoSteps: ['import-order'],
    }
    await recordReports(counting, database(env.DB), { id: destination.id, tenantId: tenant.id, platform: 'plenigo' }, [
      report,
    ])
    expect((await rows('select state, last_error from handovers where id = ?', handoverId))[0]).toEqual({
      state: 'pending',
      last_error: report.message,
    })
    expect((await rows('select result from outbound_calls where step_key = ?', stepKey))[0].result).toBe('failed')
    expect(sent).toEqual([{ type: 'handover', handoverId }])
    // Read twice (webhook and poll): the second finds it pending and queues nothing more.
    await recordReports(counting, database(env.DB), { id: destination.id, tenantId: tenant.id, platform: 'plenigo' }, [
      report,
    ])
    expect(sent).toHaveLength(1)
  })
})
