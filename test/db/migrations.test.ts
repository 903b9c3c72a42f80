/**
 * Migrations that move data: a database at the previous migration, holding rows in the old
 * shape, comes out of the next one with the same data in the new shape.
 */
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'

const until = (name: string) => env.MIGRATIONS.filter((migration) => migration.name < name)

it('0003: order lines move onto the order row, in position order, with nothing lost', async () => {
  const db = env.MIGRATION_CHECK
  await applyD1Migrations(db, until('0003'))
  await db.batch([
    db
      .prepare(
        `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at,
         currency, status, total, content_hash, imported_at, changed_at)
       values (?, 'ten', 'con', 'shopify', ?, ?, '2026-01-01', '2026-01-01', 'EUR', 'new', '10.00', 'h', '2026-01-01', '2026-01-01')`
      )
      .bind('ord_lines', '1', '#1'),
    db
      .prepare(
        `insert into orders (id, tenant_id, connection_id, platform, external_id, number, created_at, updated_at,
         currency, status, total, content_hash, imported_at, changed_at)
       values (?, 'ten', 'con', 'shopify', ?, ?, '2026-01-01', '2026-01-01', 'EUR', 'new', '0.00', 'h', '2026-01-01', '2026-01-01')`
      )
      .bind('ord_empty', '2', '#2'),
    // Inserted out of position order on purpose.
    db.prepare(
      `insert into order_lines (id, order_id, position, external_id, product_id, sku, code, name, quantity,
         current_quantity, unit_price, total)
       values ('ord_lines:1', 'ord_lines', 1, 'li-2', 'prd_2', 'SKU-2', null, 'Second', 1, 0, '4.00', '4.00'),
              ('ord_lines:0', 'ord_lines', 0, 'li-1', 'prd_1', 'SKU-1', '77', 'First', 2, null, '3.00', '6.00')`
    ),
  ])
  await applyD1Migrations(db, env.MIGRATIONS)

  const lines = async (id: string) =>
    JSON.parse((await db.prepare('select lines from orders where id = ?').bind(id).first<{ lines: string }>())!.lines)
  expect(await lines('ord_lines')).toEqual([
    {
      id: 'ord_lines:0',
      externalId: 'li-1',
      productId: 'prd_1',
      sku: 'SKU-1',
      code: '77',
      name: 'First',
      quantity: 2,
      currentQuantity: null,
      unitPrice: '3.00',
      total: '6.00',
    },
    {
      id: 'ord_lines:1',
      externalId: 'li-2',
      productId: 'prd_2',
      sku: 'SKU-2',
      code: null,
      name: 'Second',
      quantity: 1,
      currentQuantity: 0,
      unitPrice: '4.00',
      total: '4.00',
    },
  ])
  expect(await lines('ord_empty')).toEqual([])
  const table = await db.prepare("select name from sqlite_master where name = 'order_lines'").first()
  expect(table).toBeNull()
})
