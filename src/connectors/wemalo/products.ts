/**
 * Products to Wemalo (WM4–WM5): new ones in batches with `POST /product/addMultiple`, changes with
 * `PUT /product/update/:externalId`, and `GET /product/get/:externalId` to ask whether a product
 * an interrupted add may have created is there. `externalId` and `sku` are both the SKU (WM6:
 * goods-order positions name the product by it).
 */
import { FinalError } from '../../core/errors'
import type { ConnectorContext, WarehouseCatalog, WarehouseProduct } from '../types'
import { wemaloErrorMessage, wemaloRequest } from './client'
import type { WemaloCredentials, WemaloSettings } from './schemas'

type Context = ConnectorContext<WemaloCredentials, WemaloSettings>

/**
 * Products per `addMultiple` call. The apidoc documents no limit; 100 products are about 40 KB of
 * JSON, one of Wemalo's counted calls instead of 100, and small enough that one rejected product
 * holds back few others.
 */
export const WEMALO_PRODUCT_BATCH = 100

/** The body of `POST /product/add` (and of each `addMultiple` product, and of `update`). Pure. */
export function wemaloProductBody(product: WarehouseProduct, settings: WemaloSettings): Record<string, unknown> {
  const body: Record<string, unknown> = {
    externalId: product.externalId,
    sku: product.sku,
    productGroup: settings.productGroup,
    name: product.name,
  }
  const [ean, ean2, ean3, ean4] = product.eans
  Object.assign(body, { ean, ean2, ean3, ean4 })
  if (product.lengthCm !== null) body.depth = product.lengthCm
  if (product.widthCm !== null) body.width = product.widthCm
  if (product.heightCm !== null) body.height = product.heightCm
  if (product.weightGrams !== null)
    body.grossWeight = settings.weightUnit === 'kg' ? product.weightGrams / 1000 : product.weightGrams
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key]
  return body
}

async function existingAtWemalo(context: Context, externalIds: string[]): Promise<Set<string>> {
  const found = new Set<string>()
  for (const externalId of externalIds) {
    const response = await wemaloRequest(context, `/product/get/${encodeURIComponent(externalId)}`, {
      accept: [400, 404],
    })
    if (response.status === 200) {
      found.add(externalId)
      continue
    }
    // Wemalo answers an unknown id with NOT_FOUND; any other refusal is not an answer to the question.
    const message = wemaloErrorMessage(response)
    if (response.status !== 404 && !/not[ _]?found/i.test(`${message} ${response.text}`))
      throw new FinalError(`Wemalo GET /product/get/${externalId} answered ${response.status}: ${message}`)
  }
  return found
}

export const wemaloProducts: WarehouseCatalog<WemaloCredentials, WemaloSettings> = {
  batchSize: WEMALO_PRODUCT_BATCH,
  async add(context, products) {
    await wemaloRequest(context, '/product/addMultiple', {
      method: 'POST',
      json: { products: products.map((product) => wemaloProductBody(product, context.settings)) },
    })
  },
  async update(context, product) {
    await wemaloRequest(context, `/product/update/${encodeURIComponent(product.externalId)}`, {
      method: 'PUT',
      json: wemaloProductBody(product, context.settings),
    })
  },
  existing: existingAtWemalo,
}
