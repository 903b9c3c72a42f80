/**
 * The order status after a `returned` event with lines (RT1): `returned` once every line has come
 * back in full (its `currentQuantity`, else `quantity`), counted over all the order's `returned`
 * events including the one being written; until then the status stays as it is (`shipped`). It is
 * computed in the order's UPDATE itself, from the rows as they are then, so two returns recorded
 * at once cannot both miss that together they complete the order. Same rule as `fullyReturned`
 * in returned-lines.ts; a line named only by SKU counts for the first line with that SKU.
 */
import { type SQL, sql } from 'drizzle-orm'

export function statusAfterReturnSql(): SQL {
  return sql.raw(`case when not exists (
    select 1 from json_each("orders"."lines") as line
    where coalesce(line.value ->> '$.currentQuantity', line.value ->> '$.quantity') > (
      select coalesce(sum(item.value ->> '$.quantity'), 0)
      from "order_events" as returned_event, json_each(returned_event.data, '$.lines') as item
      where returned_event.order_id = "orders"."id" and returned_event.type = 'returned'
        and (item.value ->> '$.lineId' = line.value ->> '$.id'
          or (item.value ->> '$.lineId' is null and line.key = (
            select min(first.key) from json_each("orders"."lines") as first
            where first.value ->> '$.sku' = item.value ->> '$.sku'
              or (first.value ->> '$.sku' is null and first.value ->> '$.code' = item.value ->> '$.sku')))))
  ) then 'returned' else "orders"."status" end`)
}
