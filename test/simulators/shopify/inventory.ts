/**
 * The Shopify simulator's inventory through the GraphQL Admin API (`POST /admin/api/{v}/graphql.json`),
 * executed by graphql-js against the slice of Shopify's schema Kontor uses, so a query with a
 * field or argument Shopify does not have fails as it would:
 * - `locations(first:)`, `inventoryItems(first:, query: "sku:… OR sku:…")` with
 *   `inventoryLevel(locationId:) { quantities(names:) }` (available, committed, on_hand);
 * - `inventorySetOnHandQuantities(input: {reason, referenceDocumentUri, setQuantities:
 *   [{inventoryItemId, locationId, quantity, changeFromQuantity}]}) @idempotent(key:)`: all or
 *   nothing; `CHANGE_FROM_QUANTITY_STALE` when on_hand is no longer `changeFromQuantity`,
 *   `ITEM_NOT_STOCKED_AT_LOCATION`, `INVALID_QUANTITY_NEGATIVE`; from 2026-04 the key and
 *   `changeFromQuantity` are required, a key reused with other input is
 *   `IDEMPOTENCY_KEY_PARAMETER_MISMATCH`, and a repeated key answers what it answered first.
 * on_hand = available + committed. Control: `POST /_sim/inventory {locations?, staleNext?, items:
 * [{sku, available, committed?, stocked?}]}` (`staleNext`: the next N mutations find on_hand moved), `GET /_sim/inventory`, and
 * `POST /_sim/inventory/order {sku, quantity}` (a sale: available → committed).
 */
import { buildSchema, graphql, GraphQLError } from 'graphql'

type Json = Record<string, any>
type Level = { available: number; committed: number }
type Item = { id: string; sku: string; levels: Map<string, Level> }
type Inventory = {
  locations: { id: string; name: string }[]
  items: Map<string, Item>
  idempotency: Map<string, { input: string; result: Json }>
  nextId: number
  mutations: Json[]
  /** The next N mutations find on_hand moved by one (someone counted stock meanwhile). */
  staleNext: number
}

export const DEFAULT_LOCATION = 'gid://shopify/Location/1001'

const SCHEMA = buildSchema(`
  directive @idempotent(key: String!) on FIELD
  type Query {
    locations(first: Int!): LocationConnection!
    inventoryItems(first: Int!, query: String): InventoryItemConnection!
  }
  type Mutation {
    inventorySetOnHandQuantities(input: InventorySetOnHandQuantitiesInput!): InventorySetOnHandQuantitiesPayload
  }
  type LocationConnection { nodes: [Location!]! }
  type Location { id: ID! name: String! }
  type InventoryItemConnection { nodes: [InventoryItem!]! }
  type InventoryItem { id: ID! sku: String tracked: Boolean! inventoryLevel(locationId: ID!): InventoryLevel }
  type InventoryLevel { id: ID! quantities(names: [String!]!): [InventoryQuantity!]! }
  type InventoryQuantity { name: String! quantity: Int! }
  input InventorySetOnHandQuantitiesInput {
    reason: String!
    referenceDocumentUri: String
    setQuantities: [InventorySetQuantityInput!]!
  }
  input InventorySetQuantityInput { inventoryItemId: ID! locationId: ID! quantity: Int! changeFromQuantity: Int }
  type InventorySetOnHandQuantitiesPayload { userErrors: [UserError!]! inventoryAdjustmentGroup: InventoryAdjustmentGroup }
  type InventoryAdjustmentGroup { id: ID! reason: String! }
  type UserError { field: [String!] message: String! code: String }
`)

const inventories = new WeakMap<object, Inventory>()
export function inventoryOf(shop: object): Inventory {
  let inventory = inventories.get(shop)
  if (!inventory)
    inventories.set(
      shop,
      (inventory = {
        locations: [{ id: DEFAULT_LOCATION, name: 'Wemalo warehouse' }],
        items: new Map(),
        idempotency: new Map(),
        nextId: 5000,
        mutations: [],
        staleNext: 0,
      })
    )
  return inventory
}

export function setInventory(shop: object, body: Json) {
  const inventory = inventoryOf(shop)
  if (Array.isArray(body.locations)) inventory.locations = body.locations
  if (typeof body.staleNext === 'number') inventory.staleNext = body.staleNext
  for (const input of body.items ?? []) {
    let item = [...inventory.items.values()].find((candidate) => candidate.sku === input.sku)
    if (!item) {
      item = { id: `gid://shopify/InventoryItem/${inventory.nextId++}`, sku: input.sku, levels: new Map() }
      inventory.items.set(item.id, item)
    }
    const location = input.locationId ?? inventory.locations[0].id
    if (input.stocked === false) item.levels.delete(location)
    else item.levels.set(location, { available: Number(input.available ?? 0), committed: Number(input.committed ?? 0) })
  }
}

/** A sale as Shopify books it: available goes down, committed up. */
export function sellFromInventory(shop: object, sku: string, quantity: number) {
  const inventory = inventoryOf(shop)
  const item = [...inventory.items.values()].find((candidate) => candidate.sku === sku)
  const level = item?.levels.get(inventory.locations[0].id)
  if (!level) return false
  level.available -= quantity
  level.committed += quantity
  return true
}

export function inventorySnapshot(shop: object) {
  const inventory = inventoryOf(shop)
  return {
    locations: inventory.locations,
    items: [...inventory.items.values()].map((item) => ({
      id: item.id,
      sku: item.sku,
      levels: Object.fromEntries(
        [...item.levels].map(([location, level]) => [location, { ...level, onHand: level.available + level.committed }])
      ),
    })),
    mutations: inventory.mutations,
  }
}

/** Shopify's search syntax as far as Kontor uses it: `sku:X` terms joined by OR, values maybe quoted. */
function skusOf(query: string | undefined): string[] | null {
  if (!query) return null
  const skus: string[] = []
  for (const match of query.matchAll(/sku:(?:"((?:[^"\\]|\\.)*)"|(\S+))/g))
    skus.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2])
  return skus
}

function quantities(level: Level, names: string[]) {
  const values: Record<string, number> = {
    available: level.available,
    committed: level.committed,
    on_hand: level.available + level.committed,
  }
  return names.filter((name) => name in values).map((name) => ({ name, quantity: values[name] }))
}

function setOnHand(inventory: Inventory, input: Json, version: string) {
  const errors: Json[] = []
  const sets = input.setQuantities as Json[]
  if (inventory.staleNext > 0) {
    inventory.staleNext--
    for (const set of sets) {
      const level = inventory.items.get(set.inventoryItemId)?.levels.get(set.locationId)
      if (level) level.available += 1
    }
  }
  sets.forEach((set, index) => {
    const field = ['input', 'setQuantities', String(index)]
    const item = inventory.items.get(set.inventoryItemId)
    const level = item?.levels.get(set.locationId)
    if (!item || !level) {
      errors.push({
        field: [...field, 'locationId'],
        message: 'The item is not stocked at the location.',
        code: 'ITEM_NOT_STOCKED_AT_LOCATION',
      })
      return
    }
    if (set.quantity < level.committed)
      errors.push({
        field: [...field, 'quantity'],
        message: 'The quantity cannot be negative.',
        code: 'INVALID_QUANTITY_NEGATIVE',
      })
    if (set.changeFromQuantity === undefined && version >= '2026-04')
      errors.push({
        field: [...field, 'changeFromQuantity'],
        message: 'changeFromQuantity is required.',
        code: 'INVALID',
      })
    else if (
      set.changeFromQuantity !== null &&
      set.changeFromQuantity !== undefined &&
      set.changeFromQuantity !== level.available + level.committed
    )
      errors.push({
        field: [...field, 'changeFromQuantity'],
        message: 'The specified compare quantity does not match the current quantity.',
        code: 'CHANGE_FROM_QUANTITY_STALE',
      })
  })
  if (errors.length) return { userErrors: errors, inventoryAdjustmentGroup: null }
  for (const set of sets) {
    const level = inventory.items.get(set.inventoryItemId)!.levels.get(set.locationId)!
    level.available = set.quantity - level.committed
  }
  return {
    userErrors: [],
    inventoryAdjustmentGroup: {
      id: `gid://shopify/InventoryAdjustmentGroup/${inventory.nextId++}`,
      reason: input.reason,
    },
  }
}

export async function handleShopifyGraphql(
  shop: object,
  version: string,
  body: unknown
): Promise<{ status: number; body: Json }> {
  const request = (body ?? {}) as Json
  if (typeof request.query !== 'string')
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } }
  const inventory = inventoryOf(shop)
  const idempotencyKey = /@idempotent\s*\(\s*key\s*:\s*(?:"([^"]+)"|\$(\w+))/.exec(request.query)
  const isSetOnHand = request.query.includes('inventorySetOnHandQuantities')
  const key = idempotencyKey ? (idempotencyKey[1] ?? request.variables?.[idempotencyKey[2]]) : null
  if (isSetOnHand && !key && version >= '2026-04')
    return {
      status: 200,
      body: {
        errors: [
          { message: 'The @idempotent directive is required for this mutation.', extensions: { code: 'BAD_REQUEST' } },
        ],
      },
    }
  const rootValue = {
    locations: ({ first }: { first: number }) => ({ nodes: inventory.locations.slice(0, first) }),
    inventoryItems: ({ first, query }: { first: number; query?: string }) => {
      const skus = skusOf(query)
      const nodes = [...inventory.items.values()]
        .filter((item) => !skus || skus.includes(item.sku))
        .slice(0, first)
        .map((item) => ({
          id: item.id,
          sku: item.sku,
          tracked: true,
          inventoryLevel: ({ locationId }: { locationId: string }) => {
            const level = item.levels.get(locationId)
            return level
              ? {
                  id: `${item.id}?location=${locationId}`,
                  quantities: ({ names }: { names: string[] }) => quantities(level, names),
                }
              : null
          },
        }))
      return { nodes }
    },
    inventorySetOnHandQuantities: ({ input }: { input: Json }) => {
      const fingerprint = JSON.stringify(input)
      const earlier = key ? inventory.idempotency.get(key) : undefined
      if (earlier && earlier.input !== fingerprint)
        return {
          userErrors: [
            {
              field: ['idempotencyKey'],
              message: 'The idempotency key was used with other parameters.',
              code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
            },
          ],
          inventoryAdjustmentGroup: null,
        }
      if (earlier) return earlier.result
      const result = setOnHand(inventory, input, version)
      inventory.mutations.push({ key, input, userErrors: result.userErrors })
      if (key) inventory.idempotency.set(key, { input: fingerprint, result })
      return result
    },
  }
  const result = await graphql({
    schema: SCHEMA,
    source: request.query,
    rootValue,
    variableValues: request.variables ?? {},
  })
  const errors = result.errors?.map((error: GraphQLError) => ({
    message: error.message,
    locations: error.locations,
    path: error.path,
  }))
  return { status: 200, body: { ...(result.data ? { data: result.data } : {}), ...(errors ? { errors } : {}) } }
}
