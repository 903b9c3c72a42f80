import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import { importRecords, type ImportTarget } from '../../src/import/import-records'
import { phoneKey } from '../../src/import/match-keys'
import { orderId } from '../../src/import/store-order'
import type { IncomingOrder } from '../../src/core/model'
import { countingD1 } from './counting-d1'
import { customer, importTarget, line, order, product } from './fixtures'

function target(
  settings: Partial<ImportTarget['settings']> = {},
  origin: ImportTarget['origin'] = 'webhook'
): ImportTarget {
  return importTarget({ origin, settings: { productMatch: 'sku', ...settings } })
}

const db = () => database(env.DB)
const rows = async <T = any>(query: string, ...values: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...values)
      .all<T>()
  ).results

describe('importer with real D1', () => {
  it('G3, P6: the order keeps number, date, customer, products, quantity, price and total', async () => {
    const to = target()
    const incoming = order({ number: '#42' })
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    const id = await orderId(to.connectionId, incoming.externalId)
    const [stored] = await rows('select * from orders where id = ?', id)
    expect(stored).toMatchObject({ number: '#42', created_at: incoming.createdAt, total: '59.70', currency: 'EUR' })
    const lines = JSON.parse(stored.lines as string) as Record<string, unknown>[]
    expect(lines.map((line) => [line.sku, line.quantity, line.unitPrice, line.total])).toEqual(
      incoming.lines.map((l) => [l.product.sku, 2, '9.95', '19.90'])
    )
  })

  it('P1, P3, P4: new products enter the catalogue with name, description, SKU, code, unit piece', async () => {
    const to = target()
    const incoming = order({
      lines: [
        line({
          product: product({ name: 'Teapot', description: 'Cast iron', code: '777', sku: 'TEA-1-' + to.tenantId }),
        }),
      ],
    })
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    const products = await rows('select * from products where tenant_id = ?', to.tenantId)
    expect(products).toEqual([
      expect.objectContaining({
        name: 'Teapot',
        description: 'Cast iron',
        sku: 'TEA-1-' + to.tenantId,
        code: '777',
        unit: 'piece',
      }),
    ])
  })

  it('P2: a product matched by the productMatch setting is reused, never duplicated', async () => {
    for (const match of ['sku', 'name', 'id'] as const) {
      const to = target({ productMatch: match })
      const shared = product({ name: `Mug ${to.tenantId}` })
      const first = order({ lines: [line({ product: shared })] })
      const second = order({ lines: [line({ product: { ...shared } })] })
      await importRecords(db(), to, [
        { kind: 'order', order: first },
        { kind: 'order', order: second },
      ])
      expect(await rows('select id from products where tenant_id = ?', to.tenantId)).toHaveLength(1)
    }
  })

  it('P5: a category that exists by name is reused, otherwise created', async () => {
    const to = target()
    const incoming = order({
      lines: [
        line({ product: product({ category: { externalId: '1', name: 'Kitchen' } }) }),
        line({ product: product({ category: { externalId: '2', name: 'Kitchen' } }) }),
        line({ product: product({ category: { externalId: '3', name: 'Garden' } }) }),
      ],
    })
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    const categories = await rows('select name from categories where tenant_id = ? order by name', to.tenantId)
    expect(categories.map((row) => row.name)).toEqual(['Garden', 'Kitchen'])
  })

  it('C1, C2: the customer is imported with first name, last name, phone and email', async () => {
    const to = target()
    const incoming = order({
      customer: customer({ firstName: 'Max', lastName: 'Muster', phone: '+49 170 1234567', email: 'max@example.com' }),
    })
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    const [stored] = await rows('select * from customers where tenant_id = ?', to.tenantId)
    expect(stored).toMatchObject({
      first_name: 'Max',
      last_name: 'Muster',
      phone: '+49 170 1234567',
      email: 'max@example.com',
    })
  })

  it('C3: a contact with the same phone (or else email) is reused, not duplicated', async () => {
    const to = target()
    const first = order({ customer: customer({ phone: '+49 30 111', email: 'a@example.com' }) })
    const samePhone = order({ customer: customer({ phone: '+4930111', email: 'other@example.com' }) })
    const sameEmail = order({ customer: customer({ phone: null, email: 'A@example.com' }) })
    await importRecords(
      db(),
      to,
      [first, samePhone, sameEmail].map((o) => ({ kind: 'order' as const, order: o }))
    )
    expect(await rows('select id from customers where tenant_id = ?', to.tenantId)).toHaveLength(1)
    const customerIds = await rows('select distinct customer_id from orders where connection_id = ?', to.connectionId)
    expect(customerIds).toHaveLength(1)
  })

  it("C3: a national phone and its +country form are one customer, read with the order's address country", async () => {
    const to = target()
    const berlin = { countryCode: 'DE', city: 'Berlin' }
    const national = order({ customer: customer({ phone: '030 1234', email: null }), billingAddress: berlin })
    const international = order({ customer: customer({ phone: '+49 30 1234', email: null }), billingAddress: null })
    // Shipping address when there is no billing address; "00" international prefix read too.
    const shipped = order({
      customer: customer({ phone: '0049 (30) 1234', email: null }),
      shippingAddress: { countryCode: 'de' },
    })
    await importRecords(
      db(),
      to,
      [national, international, shipped].map((o) => ({ kind: 'order' as const, order: o }))
    )
    expect(await rows('select phone_key from customers where tenant_id = ?', to.tenantId)).toEqual([
      { phone_key: '+49301234' },
    ])
    expect(await rows('select distinct customer_id from orders where connection_id = ?', to.connectionId)).toHaveLength(
      1
    )
  })

  it('C3: a number that cannot be read as a phone keeps the digits-only key; stored keys stay as they are', async () => {
    // No country to read "0301234" with: the key is its digits, as every key was before E.164.
    expect(phoneKey('030 1234')).toBe('0301234')
    expect(phoneKey('12-3', 'DE')).toBe('123')
    expect(phoneKey('+999 1234', 'DE')).toBe('+9991234')
    expect(phoneKey('+49 30 1234')).toBe('+49301234')
    expect(phoneKey('030 1234', 'XX')).toBe('0301234')
    expect(phoneKey('12', 'DE')).toBeNull()
    // A customer stored under the old digits-only key is not rewritten: a new order with the same
    // national number and a country now keys "+49301234" and starts a customer of its own.
    const to = target()
    await env.DB.prepare(
      "insert into customers (id, tenant_id, first_name, phone, phone_key, not_specified, updated_at) values (?, ?, 'Old', '030 1234', '0301234', 0, ?)"
    )
      .bind(`cus_old_${to.tenantId}`, to.tenantId, new Date().toISOString())
      .run()
    await importRecords(db(), to, [
      {
        kind: 'order',
        order: order({ customer: customer({ phone: '030 1234', email: null }), billingAddress: { countryCode: 'DE' } }),
      },
    ])
    expect(await rows('select phone_key from customers where tenant_id = ? order by phone_key', to.tenantId)).toEqual([
      { phone_key: '+49301234' },
      { phone_key: '0301234' },
    ])
  })

  it('G4: an order in another currency is rejected with the rule in the import log', async () => {
    const to = target()
    const incoming = order({ currency: 'USD' })
    const summary = await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    expect(summary.counts).toEqual({ rejected: 1 })
    expect(await rows('select result, rule from import_log where connection_id = ?', to.connectionId)).toEqual([
      { result: 'rejected', rule: 'G4' },
    ])
    expect(await rows('select id from orders where connection_id = ?', to.connectionId)).toHaveLength(0)
  })

  it('G5, P7: quantity changes apply until written_off, not after', async () => {
    const to = target()
    const incoming = order()
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    const id = await orderId(to.connectionId, incoming.externalId)
    const changed = {
      ...incoming,
      updatedAt: '2026-11-02T00:00:00.000Z',
      lines: [{ ...incoming.lines[0], quantity: 5, total: '49.75' }],
    }
    await importRecords(db(), to, [{ kind: 'order', order: changed }])
    expect(
      await rows("select value ->> 'quantity' as quantity from orders, json_each(orders.lines) where orders.id = ?", id)
    ).toEqual([{ quantity: 5 }])

    await env.DB.prepare('update orders set written_off = 1 where id = ?').bind(id).run()
    const later = {
      ...changed,
      updatedAt: '2026-11-03T00:00:00.000Z',
      lines: [{ ...incoming.lines[0], quantity: 9, total: '89.55' }],
    }
    const summary = await importRecords(db(), to, [{ kind: 'order', order: later }])
    expect(summary.orders[0]).toMatchObject({ result: 'unchanged', rule: 'G5' })
    expect(
      await rows("select value ->> 'quantity' as quantity from orders, json_each(orders.lines) where orders.id = ?", id)
    ).toEqual([{ quantity: 5 }])
  })

  it('DL1, DL2: delivery details are a comment, a change adds one more, a repeat adds none', async () => {
    const to = target()
    const incoming = order()
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    const id = await orderId(to.connectionId, incoming.externalId)
    const moved = {
      ...incoming,
      updatedAt: '2026-11-05T00:00:00.000Z',
      delivery: { ...incoming.delivery!, carrier: 'UPS' },
    }
    await importRecords(db(), to, [{ kind: 'order', order: moved }])
    const comments = await rows(
      'select message from order_events where order_id = ? and type = ? order by at',
      id,
      'comment'
    )
    expect(comments).toHaveLength(2)
    expect(comments[1].message).toContain('Carrier: UPS')
  })

  it('SH6: an order without customer data gets the tenant\'s single "not specified" customer', async () => {
    const to = target()
    await importRecords(
      db(),
      to,
      [order({ customer: null }), order({ customer: null })].map((o) => ({ kind: 'order' as const, order: o }))
    )
    const customers = await rows('select first_name, not_specified from customers where tenant_id = ?', to.tenantId)
    expect(customers).toEqual([{ first_name: 'Not specified', not_specified: 1 }])
  })

  it("BB5, BB4: a product update keeps its first dimensions and may not take another product's SKU or EAN", async () => {
    const to = {
      ...target({ productMatch: 'id' }),
      platform: 'billbee',
      policy: { rejectsDuplicateProductCodes: 'BB4' },
    }
    const first = product({ externalId: '1', sku: 'A-1', ean: '4000000000001', dimensions: { weight: '1.00' } })
    const second = product({ externalId: '2', sku: 'B-2', ean: '4000000000002' })
    await importRecords(db(), to, [
      { kind: 'product', product: first },
      { kind: 'product', product: second },
    ])
    const renamed = { ...first, name: 'Renamed', dimensions: { weight: '9.00' } }
    const clash = { ...second, sku: 'A-1' }
    const summary = await importRecords(db(), to, [
      { kind: 'product', product: renamed },
      { kind: 'product', product: clash },
    ])
    expect(summary.counts).toEqual({ updated: 1, rejected: 1 })
    const rowsByExternal = await rows(
      'select name, sku, dimensions from products where tenant_id = ? order by sku',
      to.tenantId
    )
    expect(rowsByExternal).toEqual([
      { name: 'Renamed', sku: 'A-1', dimensions: JSON.stringify({ weight: '1.00' }) },
      { name: second.name, sku: 'B-2', dimensions: null },
    ])
    const [rejection] = await rows(
      "select rule, reason from import_log where connection_id = ? and result = 'rejected'",
      to.connectionId
    )
    expect(rejection).toMatchObject({ rule: 'BB4', reason: expect.stringContaining('SKU A-1') })
  })

  it('P2: without a uniqueness rule, products matched by name may share an SKU', async () => {
    const to = target({ productMatch: 'name' })
    const summary = await importRecords(db(), to, [
      { kind: 'product', product: product({ name: 'Mug red', sku: 'MUG' }) },
      { kind: 'product', product: product({ name: 'Mug blue', sku: 'MUG' }) },
    ])
    expect(summary.counts).toEqual({ created: 2 })
  })

  it('C3: a customer arriving on its own is matched like one arriving with an order', async () => {
    const to = target()
    const contact = customer({ phone: '+49 40 999', email: 'c@example.com' })
    await importRecords(db(), to, [{ kind: 'order', order: order({ customer: contact }) }])
    const summary = await importRecords(db(), to, [{ kind: 'customer', customer: { ...contact, phone: '+4940999' } }])
    expect(summary.counts).toEqual({ unchanged: 1 })
    expect(await rows('select id from customers where tenant_id = ?', to.tenantId)).toHaveLength(1)
  })

  it('a customer with only a name is kept with its order, not duplicated by a re-import', async () => {
    const to = target()
    const incoming = order({ customer: customer({ externalId: null, phone: null, email: null }) })
    await importRecords(db(), to, [{ kind: 'order', order: incoming }])
    await importRecords(db(), to, [
      { kind: 'order', order: { ...incoming, updatedAt: '2026-11-09T00:00:00.000Z', total: '1.00' } },
    ])
    expect(await rows('select id from customers where tenant_id = ?', to.tenantId)).toHaveLength(1)
  })

  describe('D1 cost per imported order (SPEC §7: ≤ 6 statements in ≤ 2 round trips)', () => {
    async function counted(to: ImportTarget, incoming: IncomingOrder[]) {
      const { db: counting, counts } = countingD1(env.DB)
      await importRecords(
        database(counting),
        to,
        incoming.map((o) => ({ kind: 'order' as const, order: o }))
      )
      return counts
    }
    const lines = (count: number) => Array.from({ length: count }, () => line())

    it.each([1, 3, 20])('a new %i-line order with a new customer and new products', async (count) => {
      const counts = await counted(target(), [order({ lines: lines(count), delivery: null })])
      expect(counts).toMatchObject({ statements: 6, roundTrips: 2 })
    })

    it('DL1: the delivery comment adds its event row and nothing else', async () => {
      expect(await counted(target(), [order()])).toMatchObject({ statements: 7, roundTrips: 2 })
    })

    it('a known customer and known products cost no more than new ones', async () => {
      const to = target()
      const first = order({ delivery: null })
      await importRecords(db(), to, [{ kind: 'order', order: first }])
      const second = order({ delivery: null, customer: { ...first.customer! }, lines: first.lines })
      expect(await counted(to, [second])).toMatchObject({ statements: 6, roundTrips: 2 })
    })

    it('an unchanged re-delivery is one read', async () => {
      const to = target()
      const incoming = order()
      await importRecords(db(), to, [{ kind: 'order', order: incoming }])
      expect(await counted(to, [incoming])).toMatchObject({ statements: 1, roundTrips: 1, batches: 0 })
    })

    it('a poll page of unchanged orders is one read, whatever its size', async () => {
      const to = target({}, 'poll')
      const page = Array.from({ length: 250 }, (_, index) => order({ number: `#${index}` }))
      await importRecords(
        db(),
        to,
        page.map((o) => ({ kind: 'order' as const, order: o }))
      )
      expect(await counted(to, page.slice(0, 10))).toMatchObject({ statements: 1, roundTrips: 1 })
      expect(await counted(to, page)).toMatchObject({ statements: 1, roundTrips: 1 })
    })

    it('a backfill page of 250 new orders is the read and one transaction', async () => {
      const to = target({}, 'backfill')
      const page = Array.from({ length: 250 }, (_, index) => order({ number: `#${index}`, delivery: null }))
      expect(await counted(to, page)).toMatchObject({ statements: 1 + 250 * 5, roundTrips: 2, batches: 1 })
      expect(await rows('select count(*) as n from orders where connection_id = ?', to.connectionId)).toEqual([
        { n: 250 },
      ])
    })
  })

  describe('a group of orders written in one transaction', () => {
    /** env.DB, with `beforeFirstBatch` run once, just before the importer's first batch reaches D1. */
    function interceptedD1(beforeFirstBatch: () => Promise<void>) {
      let intercepted = false
      const counts = { batches: 0 }
      const d1 = new Proxy(env.DB, {
        get(target, key) {
          if (key === 'batch')
            return async (statements: D1PreparedStatement[]) => {
              counts.batches++
              if (!intercepted) {
                intercepted = true
                await beforeFirstBatch()
              }
              return target.batch(statements)
            }
          const value = Reflect.get(target, key)
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
      return { db: database(d1), counts }
    }
    const asRecords = (page: IncomingOrder[]) => page.map((o) => ({ kind: 'order' as const, order: o }))

    it('when another writer changed one order after the read, every order is written once, that one replanned', async () => {
      const to = target()
      const page = Array.from({ length: 6 }, (_, index) => order({ number: `#${index}`, delivery: null }))
      await importRecords(db(), to, asRecords(page))
      const ids = await Promise.all(page.map((o) => orderId(to.connectionId, o.externalId)))
      const changed = page.map((o) => ({ ...o, updatedAt: '2026-11-09T00:00:00.000Z', total: '1.00' }))
      // An order event lands between the importer's read and its write: the group's plan for #3 is stale.
      const { db: intercepted, counts } = interceptedD1(async () => {
        await env.DB.prepare('update orders set revision = revision + 1 where id = ?').bind(ids[3]).run()
      })

      const summary = await importRecords(intercepted, to, asRecords(changed))

      expect(summary.counts).toEqual({ updated: 6 })
      // The failed group, then each order on its own.
      expect(counts.batches).toBe(1 + 6)
      const stored = await rows<{ id: string; revision: number; total: string }>(
        'select id, revision, total from orders where connection_id = ?',
        to.connectionId
      )
      expect(stored.map((row) => [row.id, row.revision, row.total]).sort()).toEqual(
        ids.map((id, index) => [id, index === 3 ? 2 : 1, '1.00']).sort()
      )
      const logged = await rows<{ result: string; n: number }>(
        'select result, count(*) as n from import_log where connection_id = ? group by result order by result',
        to.connectionId
      )
      expect(logged).toEqual([
        { result: 'created', n: 6 },
        { result: 'updated', n: 6 },
      ])
    })

    it('a page longer than one group: the next group plans from what the first one wrote, with no stale entry and no replan', async () => {
      const to = target()
      const page = Array.from({ length: 250 }, (_, index) => order({ number: `#${index}`, delivery: null }))
      // The first order of the page again, changed, as the 251st record: it lands in the second group.
      const again = { ...page[0], updatedAt: '2026-11-09T00:00:00.000Z', total: '1.00' }
      const { db: counting, counts } = interceptedD1(async () => {})

      const summary = await importRecords(counting, to, asRecords([...page, again]))

      expect(summary.counts).toEqual({ created: 250, updated: 1 })
      // One transaction per group: the second was planned from the first group's write, not from the page's read.
      expect(counts.batches).toBe(2)
      const id = await orderId(to.connectionId, again.externalId)
      expect(await rows('select revision, total from orders where id = ?', id)).toEqual([
        { revision: 1, total: '1.00' },
      ])
    })

    it('when the group write fails, nothing of it stays and each order is written on its own, once', async () => {
      const to = { ...target(), routes: ['con_destination'] }
      const page = Array.from({ length: 4 }, (_, index) => order({ number: `#${index}`, delivery: null }))
      const { db: failing, counts } = interceptedD1(async () => {
        throw new Error('D1_ERROR: Network connection lost.')
      })

      const summary = await importRecords(failing, to, asRecords(page))

      expect(summary.counts).toEqual({ created: 4 })
      expect(counts.batches).toBe(1 + 4)
      expect(summary.followUps.handoverIds).toHaveLength(4)
      expect(new Set(summary.followUps.handoverIds).size).toBe(4)
      expect(await rows('select count(*) as n from orders where connection_id = ?', to.connectionId)).toEqual([
        { n: 4 },
      ])
      expect(await rows('select count(*) as n from import_log where connection_id = ?', to.connectionId)).toEqual([
        { n: 4 },
      ])
    })
  })
})
