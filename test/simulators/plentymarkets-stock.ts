/**
 * A plentymarkets system's variations and warehouse stock (mounted from plentymarkets.ts):
 * `GET /rest/items/variations` (`numberExact`, `barcode`, `with=variationBarcodes`, the paged
 * envelope), `GET /rest/stockmanagement/warehouses/{id}/stock` (`variationId`; `physicalStock`,
 * `reservedStock`, `netStock` = physical − reserved) and `PUT …/stock/correction {corrections:
 * [{variationId, storageLocationId, quantity, reasonId}]}`, read as setting the storage location's
 * quantity. The variations themselves are plentymarkets.ts's. Control: `POST /_sim/stock {stock:
 * [{variationId, warehouseId?, physical, reserved}]}`, `GET /_sim/stock`.
 */
import type { Hono } from 'hono'

type Json = Record<string, any>
type Variation = {
  id: number
  itemId: number
  number: string
  barcodes: string[]
  stock: Map<number, { physical: number; reserved: number }>
}

const stores = new WeakMap<object, Map<number, Variation>>()
const storeOf = (system: object) => {
  let store = stores.get(system)
  if (!store) stores.set(system, (store = new Map()))
  return store
}

const page = (entries: Json[]) => ({
  page: 1,
  totalsCount: entries.length,
  isLastPage: true,
  lastPageNumber: 1,
  firstOnPage: entries.length ? 1 : 0,
  lastOnPage: entries.length,
  itemsPerPage: 50,
  entries,
})

export function plentyStockRoutes(app: Hono, systemOf: (url: string) => object | undefined, bodyOf: (c: any) => Json) {
  app.post('/_sim/stock', async (c) => {
    const store = storeOf(systemOf(c.req.url)!)
    for (const input of ((await c.req.json()) as Json).stock ?? []) {
      const variation = store.get(Number(input.variationId)) ?? {
        id: Number(input.variationId),
        itemId: Number(input.variationId),
        number: '',
        barcodes: [],
        stock: new Map(),
      }
      variation.stock.set(Number(input.warehouseId ?? 1), {
        physical: Number(input.physical ?? 0),
        reserved: Number(input.reserved ?? 0),
      })
      store.set(variation.id, variation)
    }
    return c.json({ ok: true })
  })
  app.get('/_sim/stock', (c) =>
    c.json(
      [...storeOf(systemOf(c.req.url)!).values()].map((variation) => ({
        variationId: variation.id,
        stock: Object.fromEntries(variation.stock),
      }))
    )
  )

  app.get('/rest/stockmanagement/warehouses/:warehouseId/stock', (c) => {
    const warehouseId = Number(c.req.param('warehouseId'))
    const variationId = c.req.query('variationId')
    const entries = [...storeOf(systemOf(c.req.url)!).values()]
      .filter((variation) => !variationId || variation.id === Number(variationId))
      .flatMap((variation) => {
        const stock = variation.stock.get(warehouseId)
        return stock
          ? [
              {
                variationId: variation.id,
                itemId: variation.itemId,
                warehouseId,
                physicalStock: stock.physical,
                reservedStock: stock.reserved,
                netStock: stock.physical - stock.reserved,
              },
            ]
          : []
      })
    return c.json(page(entries))
  })
  app.put('/rest/stockmanagement/warehouses/:warehouseId/stock/correction', (c) => {
    const warehouseId = Number(c.req.param('warehouseId'))
    const store = storeOf(systemOf(c.req.url)!)
    const corrections = (bodyOf(c).corrections ?? []) as Json[]
    for (const correction of corrections) {
      const variation = store.get(Number(correction.variationId))
      if (!variation)
        return c.json({ error: { code: 404, message: `variation ${correction.variationId} not found` } }, 404)
      const stock = variation.stock.get(warehouseId) ?? { physical: 0, reserved: 0 }
      stock.physical = Number(correction.quantity)
      variation.stock.set(warehouseId, stock)
    }
    return c.body(null, 200)
  })
}
