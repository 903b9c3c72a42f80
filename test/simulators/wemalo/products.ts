/**
 * The product master of a simulated Wemalo account (WM4–WM5): `POST /product/add`,
 * `POST /product/addMultiple` (all or nothing: one invalid product refuses the call and stores
 * none — the apidoc does not say how Wemalo treats a partly bad batch), `PUT /product/update/
 * :externalId` (the fields given replace those stored; partial-update semantics are not
 * documented), `GET /product/get/:externalId` and `GET /product/getAll?fromDate=ddMMyyyyHH`.
 * `externalId` and `sku` are unique per account ("has to be unique"): adding a product whose
 * external id or SKU is taken is refused, as is an update that would take another product's SKU.
 * Control: `GET /_sim/products`, `POST /_sim/products {products:[…]}` (stored as if added).
 *
 * The store is exported (`wemaloProductsOf`) for the stock routes that read it. Error bodies
 * follow wemalo.ts's `fail`.
 */
import type { Context, Hono } from 'hono'

type Json = Record<string, any>

export type WemaloProduct = Json & {
  /** Wemalo's own product id. */
  id: number
  externalId: string
  sku: string
  productGroup: string
  /** When it was last added or updated (getAll's `fromDate` filter). */
  updatedAt: string
}

const stores = new WeakMap<object, Map<string, WemaloProduct>>()

/** The products of an account, by external id. */
export function wemaloProductsOf(account: object): Map<string, WemaloProduct> {
  let store = stores.get(account)
  if (!store) stores.set(account, (store = new Map()))
  return store
}

const FIELDS: Record<string, 'string' | 'number' | 'boolean'> = {
  externalId: 'string',
  sku: 'string',
  productGroup: 'string',
  name: 'string',
  description: 'string',
  depth: 'number',
  height: 'number',
  width: 'number',
  volume: 'number',
  depthShipping: 'number',
  heightShipping: 'number',
  widthShipping: 'number',
  volumeShipping: 'number',
  grossWeight: 'number',
  netWeight: 'number',
  ean: 'string',
  ean2: 'string',
  ean3: 'string',
  ean4: 'string',
  customsTariffNumber: 'string',
  factoryNumber: 'string',
  supplierNumber: 'string',
  originCountry: 'string',
  producerName: 'string',
  salesPrice: 'number',
  hasSerialNumber: 'boolean',
  purchasePrice: 'number',
  isActive: 'boolean',
  ignorePicking: 'boolean',
  externalArticleNumber: 'string',
}
const REQUIRED = ['externalId', 'sku', 'productGroup']

type Failure = { status: number; error: string; message: string; field?: string }

/** What the add route would refuse about one product, or null. */
function invalid(product: Json, required: string[]): Failure | null {
  for (const field of required)
    if (typeof product[field] !== 'string' || !product[field].trim())
      return { status: 400, error: 'missingParameter', message: `${field} is required`, field }
  for (const [field, value] of Object.entries(product)) {
    const type = FIELDS[field]
    if (type && value !== null && typeof value !== type)
      return { status: 400, error: 'INVALID', message: `${field} must be a ${type}`, field }
  }
  return null
}

/** ddMMyyyyHH (getAll's and availableStock's `fromDate`) as an ISO time, or null. */
function fromWemaloHour(value: string): string | null {
  const match = /^(\d{2})(\d{2})(\d{4})(\d{2})$/.exec(value)
  return match ? `${match[3]}-${match[2]}-${match[1]}T${match[4]}:00:00.000Z` : null
}

export function mountWemaloProductRoutes(
  app: Hono,
  helpers: {
    accountOf(url: string): object | undefined
    /** The request's JSON body as the API middleware recorded it. */
    jsonBody(c: Context): Json
    fail(status: number, error: string, message: string, field?: string): Response
  }
) {
  const { accountOf, jsonBody, fail } = helpers
  const refuse = (failure: Failure) => fail(failure.status, failure.error, failure.message, failure.field)
  let nextId = 1000
  const storeOf = (c: Context) => wemaloProductsOf(accountOf(c.req.url)!)

  /** Adds products to the store unless one is invalid or its external id or SKU is taken. */
  function addAll(store: Map<string, WemaloProduct>, products: Json[]): Failure | null {
    const skus = new Set([...store.values()].map((product) => product.sku))
    const externalIds = new Set(store.keys())
    for (const product of products) {
      const problem = invalid(product, REQUIRED)
      if (problem) return problem
      if (externalIds.has(product.externalId))
        return {
          status: 400,
          error: 'INVALID',
          message: `a product with external id ${product.externalId} already exists`,
          field: 'externalId',
        }
      if (skus.has(product.sku))
        return { status: 400, error: 'INVALID', message: `SKU ${product.sku} is already in use`, field: 'sku' }
      externalIds.add(product.externalId)
      skus.add(product.sku)
    }
    const now = new Date().toISOString()
    for (const product of products)
      store.set(product.externalId, { isActive: true, ...(product as WemaloProduct), id: nextId++, updatedAt: now })
    return null
  }

  app.get('/_sim/products', (c) => c.json({ products: [...storeOf(c).values()] }))
  app.post('/_sim/products', async (c) => {
    const body = (await c.req.json()) as Json
    const products = (body.products ?? []) as Json[]
    const problem = addAll(
      storeOf(c),
      products.map((product) => ({ productGroup: 'default', sku: product.externalId, ...product }))
    )
    return problem ? c.json(problem, 400) : c.json({ products: [...storeOf(c).values()] })
  })

  app.post('/v1/product/add', (c) => {
    const problem = addAll(storeOf(c), [jsonBody(c)])
    return problem ? refuse(problem) : c.json({ Success: true, status: 200 })
  })

  app.post('/v1/product/addMultiple', (c) => {
    const products = jsonBody(c).products
    if (!Array.isArray(products) || !products.length)
      return fail(400, 'missingParameter', 'products is required', 'products')
    const problem = addAll(storeOf(c), products as Json[])
    return problem ? refuse(problem) : c.json({ Success: true, status: 200 })
  })

  app.put('/v1/product/update/:externalId', (c) => {
    const store = storeOf(c)
    const externalId = c.req.param('externalId')
    const product = store.get(externalId)
    if (!product) return fail(404, 'NOT_FOUND', `no product with external id ${externalId}`, 'externalId')
    const body = jsonBody(c)
    const problem = invalid(body, [])
    if (problem) return refuse(problem)
    if (body.externalId !== undefined && body.externalId !== externalId)
      return fail(400, 'INVALID', 'the external id of a product cannot change', 'externalId')
    if (
      typeof body.sku === 'string' &&
      [...store.values()].some((other) => other.externalId !== externalId && other.sku === body.sku)
    )
      return fail(400, 'INVALID', `SKU ${body.sku} is already in use`, 'sku')
    store.set(externalId, { ...product, ...body, externalId, id: product.id, updatedAt: new Date().toISOString() })
    return c.json({ Success: true, status: 200 })
  })

  app.get('/v1/product/get/:externalId', (c) => {
    const product = storeOf(c).get(c.req.param('externalId'))
    if (!product)
      return fail(404, 'NOT_FOUND', `no product with external id ${c.req.param('externalId')}`, 'externalId')
    const { id: _id, updatedAt: _updatedAt, externalId: _externalId, ...fields } = product
    return c.json({ ...fields, status: 200, Success: true })
  })

  app.get('/v1/product/getAll', (c) => {
    const from = fromWemaloHour(c.req.query('fromDate') ?? '')
    if (!from) return fail(400, 'missingParameter', 'fromDate (ddMMyyyyHH) is required', 'fromDate')
    const products = [...storeOf(c).values()]
      .filter((product) => product.updatedAt >= from)
      .map(({ id: _id, updatedAt: _updatedAt, ...fields }) => ({ ...fields, status: 200, Success: true }))
    return c.json({ products })
  })
}
