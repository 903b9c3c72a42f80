/**
 * The connections page's picture (issue 19): per connection, and for the tenant as a whole, the
 * orders imported and the failures of the last 24 hours (by the hour) and 7 days (by the day).
 */
import type { FC } from 'hono/jsx'
import type { connectionActivity } from '../../read-models/activity'
import { ActivityChart } from './activity-chart'

type Activity = Awaited<ReturnType<typeof connectionActivity>>

export const ActivitySection: FC<{ day: Activity; week: Activity }> = ({ day, week }) => {
  const rows = [
    { id: 'all', name: 'All connections', day: day.total, week: week.total },
    ...day.connections.map((connection) => ({
      id: connection.id,
      name: connection.name,
      day: connection.buckets,
      week: week.connections.find((other) => other.id === connection.id)?.buckets ?? [],
    })),
  ]
  return (
    <section id="activity">
      <h2>Orders imported and failures</h2>
      <table>
        <thead>
          <tr>
            <th>Connection</th>
            <th>Last 24 hours</th>
            <th>Last 7 days</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr data-activity={row.id}>
              <td>{row.name}</td>
              <td>
                <ActivityChart
                  id={`day-${row.id}`}
                  title={`${row.name}: orders imported and failures, last 24 hours`}
                  span="day"
                  buckets={row.day}
                />
              </td>
              <td>
                <ActivityChart
                  id={`week-${row.id}`}
                  title={`${row.name}: orders imported and failures, last 7 days`}
                  span="week"
                  buckets={row.week}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
