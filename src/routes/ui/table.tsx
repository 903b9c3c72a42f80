/**
 * The dashboard's one table: a list of rows under named columns, or a line saying there is
 * nothing, so the pages say what they show and not how a table is written.
 */
import type { Child, FC } from 'hono/jsx'

export type Column<Row> = {
  label: string
  cell: (row: Row) => Child
  /** A class for the cell, e.g. `bad` for an error or `state` for what tests look up. */
  class?: (row: Row) => string | undefined
}

export function Table<Row>(props: {
  id: string
  rows: Row[]
  /** A falsy entry leaves a column out (e.g. the tenant when one is chosen). */
  columns: (Column<Row> | false | null | undefined)[]
  /** Shown instead of the table when there are no rows. */
  empty: string
  /** `data-*` attributes of a row, so tests and links can find it. */
  rowData?: (row: Row) => Record<string, string>
}) {
  if (!props.rows.length)
    return (
      <p class="muted" id={`no-${props.id}`}>
        {props.empty}
      </p>
    )
  const columns = props.columns.filter((column): column is Column<Row> => Boolean(column))
  return (
    <table id={props.id}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th>{column.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr {...dataAttributes(props.rowData?.(row))}>
            {columns.map((column) => (
              <td class={column.class?.(row)}>{column.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function dataAttributes(data: Record<string, string> | undefined) {
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [`data-${key}`, value]))
}

/** A row's name with its id beneath it, for lists whose ids are looked up elsewhere (API, logs). */
export const NameAndId: FC<{ name: Child; id: string }> = ({ name, id }) => (
  <span>
    {name}
    <div class="muted">{id}</div>
  </span>
)
