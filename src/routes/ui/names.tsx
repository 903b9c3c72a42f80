/**
 * Names where ids would be: a connection or hub endpoint shown by its name, linked to where it is
 * listed, with the id in the title. An id no longer known (deleted) is shown as it is.
 */
import type { FC } from 'hono/jsx'
import type { NamedTarget } from '../../read-models/connection-names'

/** Where a connection (its row on the connections page) or a hub endpoint (its page) is shown. */
export function targetHref(id: string, kind: NamedTarget['kind']) {
  return kind === 'hub' ? `/hub/${encodeURIComponent(id)}` : `/#connection-${encodeURIComponent(id)}`
}

export const TargetName: FC<{ id: string; target: NamedTarget | null | undefined }> = ({ id, target }) =>
  target ? (
    <a href={targetHref(id, target.kind)} title={id} data-target={id}>
      {target.name}
    </a>
  ) : (
    <span title={id}>{id}</span>
  )
