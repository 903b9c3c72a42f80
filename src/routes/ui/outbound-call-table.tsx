/**
 * Outbound calls as a table, for the outbound-calls page and an order's page alike: when, to
 * which connection or hub endpoint (by name, linked), what, with which result and detail.
 */
import type { NamedTarget } from '../../read-models/connection-names'
import type { listOutboundCalls } from '../../read-models/outbound-calls'
import { Badge, Time } from './layout'
import { TargetName } from './names'
import { Table } from './table'

type Call = Awaited<ReturnType<typeof listOutboundCalls>>['items'][number]

export function OutboundCallTable(props: {
  calls: Call[]
  names: Map<string, NamedTarget>
  /** The order column, on the list of every order's calls. */
  showOrder?: boolean
  empty: string
}) {
  return (
    <Table
      id="outbound-calls"
      rows={props.calls}
      empty={props.empty}
      rowData={(call) => ({ call: call.id })}
      columns={[
        { label: 'At', cell: (call) => <Time at={call.at} /> },
        {
          label: 'Connection',
          class: () => 'target',
          cell: (call) => <TargetName id={call.connectionId} target={props.names.get(call.connectionId)} />,
        },
        props.showOrder && {
          label: 'Order',
          cell: (call) => (call.orderId ? <a href={`/orders/${encodeURIComponent(call.orderId)}`}>order</a> : '—'),
        },
        { label: 'Action', cell: (call) => call.action },
        { label: 'Result', cell: (call) => <Badge value={call.result} /> },
        { label: 'Attempts', cell: (call) => call.attempts },
        { label: 'Detail', cell: (call) => call.detail ?? '' },
      ]}
    />
  )
}
