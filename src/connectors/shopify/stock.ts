/**
 * ST3 for Shopify: inventory at the connection's `stockLocationId`, through the GraphQL Admin
 * API. Shopify keeps the units of its own unfulfilled orders as `committed` (on_hand = available
 * + committed + unavailable), so Kontor sets `on_hand` to the sellable quantity plus this shop's
 * `committed` there, and Shopify shows the sellable quantity as available.
 * `inventorySetOnHandQuantities` carries `changeFromQuantity` (the on_hand just read: a
 * compare-and-swap, mandatory from 2026-04) and an `@idempotent` key (mandatory from 2026-04).
 * A stale quantity (an order or a person changed it meanwhile) is read again and written again
 * under a new key; an item not stocked at the location, or a SKU Shopify does not know, is a
 * skip with the reason. One query reads a batch's items (`inventoryItems(query: "sku:… OR …")`).
 */
import { z } from 'zod'
import { FinalError, RetryableError } from '../../core/errors'
import type { ConnectorContext, StockChannel, StockWrite, StockWriteOutcome } from '../types'
import { shopifyRequest } from './client'
import type { ShopifyCredentials, ShopifySettings } from './schemas'

type Context = ConnectorContext<ShopifyCredentials, ShopifySettings>

/** The version whose inventory mutations have `changeFromQuantity` and `@idempotent`. */
export const SHOPIFY_INVENTORY_API_VERSION = '2026-04'
/** Shopify documents no maximum of `setQuantities`; 100 stays within a query's cost. */
export const SHOPIFY_STOCK_BATCH = 100
const STALE_RETRIES = 3

export function shopifyLocationGid(id: string): string {
  return id.startsWith('gid://') ? id : `gid://shopify/Location/${id}`
}

/** Shopify's search syntax: each SKU quoted, joined with OR. */
export function skuSearch(skus: string[]): string {
  return skus.map((sku) => `sku:"${sku.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' OR ')
}

const LEVELS_QUERY = `query KontorStockLevels($query: String!, $first: Int!, $locationId: ID!) {
  inventoryItems(first: $first, query: $query) {
    nodes {
      id
      sku
      inventoryLevel(locationId: $locationId) {
        quantities(names: ["available", "committed", "on_hand"]) { name quantity }
      }
    }
  }
}`

const SET_MUTATION = `mutation KontorSetStock($input: InventorySetOnHandQuantitiesInput!, $key: String!) {
  inventorySetOnHandQuantities(input: $input) @idempotent(key: $key) {
    userErrors { field message code }
  }
}`

const levelsSchema = z.object({
  inventoryItems: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        sku: z.string().nullish(),
        inventoryLevel: z
          .object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number() })) })
          .nullish(),
      })
    ),
  }),
})

const setSchema = z.object({
  inventorySetOnHandQuantities: z.object({
    userErrors: z.array(
      z.object({ field: z.array(z.string()).nullish(), message: z.string(), code: z.string().nullish() })
    ),
  }),
})

type Level = { itemId: string; stocked: boolean; available: number; committed: number; onHand: number }

async function graphql<T>(context: Context, query: string, variables: Record<string, unknown>, schema: z.ZodType<T>) {
  const response = await shopifyRequest(context, `/admin/api/${SHOPIFY_INVENTORY_API_VERSION}/graphql.json`, {
    method: 'POST',
    json: { query, variables },
  })
  const body = response.json<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }>()
  if (body.errors?.length) {
    const message = body.errors.map((error) => error.message).join('; ')
    if (body.errors.some((error) => error.extensions?.code === 'THROTTLED'))
      throw new RetryableError(`Shopify: ${message}`, 2)
    throw new FinalError(`Shopify GraphQL: ${message}`)
  }
  return schema.parse(body.data)
}

async function readLevels(context: Context, location: string, skus: string[]): Promise<Map<string, Level>> {
  const data = await graphql(
    context,
    LEVELS_QUERY,
    { query: skuSearch(skus), first: skus.length, locationId: location },
    levelsSchema
  )
  const levels = new Map<string, Level>()
  for (const node of data.inventoryItems.nodes) {
    if (!node.sku || levels.has(node.sku)) continue
    const quantity = (name: string) =>
      node.inventoryLevel?.quantities.find((entry) => entry.name === name)?.quantity ?? 0
    levels.set(node.sku, {
      itemId: node.id,
      stocked: Boolean(node.inventoryLevel),
      available: quantity('available'),
      committed: quantity('committed'),
      onHand: quantity('on_hand'),
    })
  }
  return levels
}

async function writeBatch(context: Context, location: string, items: StockWrite[], key: string) {
  const outcomes = new Map<string, StockWriteOutcome>()
  let pending = items
  for (let attempt = 0; pending.length && attempt <= STALE_RETRIES; attempt++) {
    const levels = await readLevels(
      context,
      location,
      pending.map((item) => item.sku)
    )
    const sets: { item: StockWrite; level: Level }[] = []
    for (const item of pending) {
      const level = levels.get(item.sku)
      if (!level)
        outcomes.set(item.sku, {
          sku: item.sku,
          result: 'skipped',
          reason: 'Shopify has no inventory item with this SKU',
        })
      else if (!level.stocked)
        outcomes.set(item.sku, {
          sku: item.sku,
          result: 'skipped',
          reason: 'not stocked at the location stockLocationId',
        })
      else if (level.onHand === item.quantity + level.committed)
        outcomes.set(item.sku, { sku: item.sku, result: 'written' })
      else sets.push({ item, level })
    }
    if (!sets.length) break
    const data = await graphql(
      context,
      SET_MUTATION,
      {
        key: attempt ? `${key}-${attempt}` : key,
        input: {
          reason: 'correction',
          referenceDocumentUri: `gid://kontor/StockWrite/${key}`,
          setQuantities: sets.map(({ item, level }) => ({
            inventoryItemId: level.itemId,
            locationId: location,
            quantity: item.quantity + level.committed,
            changeFromQuantity: level.onHand,
          })),
        },
      },
      setSchema
    )
    const errors = data.inventorySetOnHandQuantities.userErrors
    if (!errors.length) {
      for (const { item } of sets) outcomes.set(item.sku, { sku: item.sku, result: 'written' })
      break
    }
    // The mutation is all or nothing: stale items are read again, refused ones skipped, the rest retried.
    const retry: StockWrite[] = []
    sets.forEach(({ item }, index) => {
      const error = errors.find((candidate) => candidate.field?.[2] === String(index))
      if (!error || error.code === 'CHANGE_FROM_QUANTITY_STALE' || error.code === 'IDEMPOTENCY_CONCURRENT_REQUEST')
        retry.push(item)
      else
        outcomes.set(item.sku, {
          sku: item.sku,
          result: 'skipped',
          reason: `Shopify ${error.code ?? ''}: ${error.message}`.trim(),
        })
    })
    pending = retry
    if (attempt === STALE_RETRIES && pending.length)
      throw new RetryableError(
        `Shopify inventory still stale after ${STALE_RETRIES} re-reads (${pending.length} items)`
      )
  }
  return items.map((item) => outcomes.get(item.sku) ?? { sku: item.sku, result: 'written' as const })
}

export const shopifyStock: StockChannel<ShopifyCredentials, ShopifySettings> = {
  batchSize: SHOPIFY_STOCK_BATCH,
  options: (settings) => ({ sync: settings.stockSync, buffer: settings.stockBuffer }),

  async write(context: Context, items, key) {
    if (!context.settings.stockLocationId)
      return items.map((item) => ({
        sku: item.sku,
        result: 'skipped',
        reason: 'the connection has no stockLocationId',
      }))
    return writeBatch(context, shopifyLocationGid(context.settings.stockLocationId), items, key)
  },

  async read(context: Context, skus) {
    const figures = new Map<string, number>()
    if (!context.settings.stockLocationId) return figures
    const levels = await readLevels(context, shopifyLocationGid(context.settings.stockLocationId), skus)
    for (const [sku, level] of levels) if (level.stocked) figures.set(sku, level.available)
    return figures
  },
}
