/**
 * Issue 16: the product import checked and then wrote, with no compare-and-set. Two concurrent
 * imports of one product both said `created`, and two products with one SKU both got it where
 * BB4 refuses that. The write now holds only while what was read is still true.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db/client'
import type { ImportScope } from '../../src/import/store-order'
import { importProduct } from '../../src/import/store-catalog'
import { product } from './fixtures'

const db = () => database(env.DB)

function scope(overrides: Partial<ImportScope> = {}): ImportScope {
  return {
    tenantId: `ten_${crypto.randomUUID().slice(0, 8)}`,
    connectionId: `con_${crypto.randomUUID().slice(0, 8)}`,
    platform: 'billbee',
    productMatch: 'id',
    ...overrides,
  }
}

describe('product import under races', () => {
  it('two concurrent imports of one new product: one created, the other finds it unchanged', async () => {
    const to = scope()
    const incoming = product({ externalId: 'P-1' })
    const results = await Promise.all([importProduct(db(), to, incoming), importProduct(db(), to, incoming)])
    expect(results.map((outcome) => outcome.result).sort()).toEqual(['created', 'unchanged'])
  })

  it('BB4: two products with one SKU imported at once: one gets it, the other is rejected', async () => {
    const to = scope({ rejectsDuplicateProductCodes: 'BB4' })
    const results = await Promise.all([
      importProduct(db(), to, product({ externalId: 'A', sku: 'SAME-SKU' })),
      importProduct(db(), to, product({ externalId: 'B', sku: 'SAME-SKU' })),
    ])
    expect(results.map((outcome) => outcome.result).sort()).toEqual(['created', 'rejected'])
    const { results: rows } = await env.DB.prepare('select id from products where tenant_id = ? and sku = ?')
      .bind(to.tenantId, 'SAME-SKU')
      .all()
    expect(rows).toHaveLength(1)
  })

  it('two concurrent updates of one product: each is written once, neither over a state it did not read', async () => {
    const to = scope()
    await importProduct(db(), to, product({ externalId: 'U', sku: 'U-1', name: 'Old' }))
    const results = await Promise.all([
      importProduct(db(), to, product({ externalId: 'U', sku: 'U-1', name: 'New A' })),
      importProduct(db(), to, product({ externalId: 'U', sku: 'U-1', name: 'New B' })),
    ])
    expect(results.map((outcome) => outcome.result)).toEqual(['updated', 'updated'])
  })
})
