/**
 * Billbee's stock calls (swagger `Article_UpdateStock`, `Article_UpdateStockMultiple`,
 * `Article_GetArticle`): `POST /api/v1/products/updatestock` takes one `UpdateStockApiModel`
 * and answers one ApiResult; `updatestockmultiple` takes an array and answers an array of
 * ApiResults, one per model, whose `Data` is `{SKU, OldStock, CurrentStock, UnfulfilledAmount,
 * Message}`. `NewQuantity` is absolute (`OldQuantity`/`DeltaQuantity` are ignored, as documented),
 * `StockId` picks one stock under multi-stock, and `AutosubtractReservedAmount` subtracts the
 * article's unfulfilled amount. An unknown SKU is that element's error. `GET /products/{id}?lookupBy=sku`
 * reads one article with `StockCurrent` and `Stocks`.
 */
import type { Hono } from 'hono'

type Json = Record<string, any>
type StockAccount = { products: Json[] }

const NOT_FOUND = 'Der Artikel wurde nicht gefunden.'

function result(data: unknown, error?: string) {
  return {
    ErrorMessage: error ?? null,
    ErrorCode: error ? 1 : 0,
    ErrorDescription: error ? 'InternalError' : 'NoError',
    Data: data,
  }
}

function stockOf(product: Json, stockId: number) {
  product.Stocks ??= [{ StockId: 0, Name: 'Standard', StockCurrent: product.StockCurrent ?? 0, UnfulfilledAmount: 0 }]
  let stock = product.Stocks.find((entry: Json) => Number(entry.StockId) === stockId)
  if (!stock)
    product.Stocks.push((stock = { StockId: stockId, Name: `Lager ${stockId}`, StockCurrent: 0, UnfulfilledAmount: 0 }))
  return stock
}

export function updateBillbeeStock(account: StockAccount, model: Json) {
  const product = account.products.find(
    (candidate) => candidate.SKU === model.Sku || (model.BillbeeId && candidate.Id === model.BillbeeId)
  )
  if (!product) return result(null, NOT_FOUND)
  const stock = stockOf(product, Number(model.StockId ?? 0))
  const old = Number(stock.StockCurrent ?? 0)
  const unfulfilled = Number(stock.UnfulfilledAmount ?? 0)
  stock.StockCurrent = Number(model.NewQuantity) - (model.AutosubtractReservedAmount ? unfulfilled : 0)
  if (Number(model.StockId ?? 0) === 0) product.StockCurrent = stock.StockCurrent
  return result({
    SKU: product.SKU,
    OldStock: old,
    CurrentStock: stock.StockCurrent,
    UnfulfilledAmount: unfulfilled,
    Message: null,
  })
}

export function billbeeStockRoutes(app: Hono, accountOf: (c: any) => StockAccount) {
  app.post('/api/v1/products/updatestock', async (c) => c.json(updateBillbeeStock(accountOf(c), await c.req.json())))
  app.post('/api/v1/products/updatestockmultiple', async (c) => {
    const models = await c.req.json()
    if (!Array.isArray(models)) return c.json({ Message: 'Die Anforderung ist ungültig.' }, 400)
    return c.json(models.map((model: Json) => updateBillbeeStock(accountOf(c), model)))
  })
  app.get('/api/v1/products/:id', (c) => {
    const lookupBy = c.req.query('lookupBy') ?? 'id'
    const id = c.req.param('id')
    const product = accountOf(c).products.find((candidate) =>
      lookupBy === 'sku'
        ? candidate.SKU === id
        : lookupBy === 'ean'
          ? candidate.EAN === id
          : String(candidate.Id) === id
    )
    if (!product) return c.json(result(null, NOT_FOUND), 404)
    stockOf(product, 0)
    return c.json(result(product))
  })
}
