/**
 * How many tenants one D1 carries, from the bench's own counts and Cloudflare's documented
 * limits (developers.cloudflare.com/d1/platform/limits). The assumptions are named here and in
 * BENCHMARKS.md; change them here, not in the numbers.
 */
export const ASSUMPTIONS = {
  /** "Each individual D1 database is inherently single-threaded": ~1,000 queries/s at 1 ms each. */
  d1StatementsPerSecond: 1000,
  /** Run at half of it, to stay clear of D1's "overloaded" errors when a burst queues up. */
  utilisation: 0.5,
  /** A tenant of 10,000 orders a day, 15 % of them in the busiest hour. */
  ordersPerDay: 10_000,
  peakHourShare: 0.15,
  /** 10 GB per D1 database (not raisable), counted as 10^9 bytes. */
  d1Bytes: 10e9,
  /** Days of orders a tenant keeps in the hot database (today: all of them; see docs/scaling.md). */
  hotDays: 30,
}

export function capacity(measured: { statementsPerOrder: number; rowsWrittenPerOrder: number; bytesPerOrder: number }) {
  const a = ASSUMPTIONS
  const peakOrdersPerSecond = (a.ordersPerDay * a.peakHourShare) / 3600
  const statementsPerTenant = peakOrdersPerSecond * measured.statementsPerOrder
  const bytesPerTenantDay = a.ordersPerDay * measured.bytesPerOrder
  return {
    assumptions: a,
    statementsPerOrder: measured.statementsPerOrder,
    peakOrdersPerSecond,
    /** statements per second one such tenant asks of D1 in its busiest hour */
    statementsPerTenant,
    tenantsPerD1: Math.floor((a.d1StatementsPerSecond * a.utilisation) / statementsPerTenant),
    tenantsPerD1Storage: Math.floor((a.d1Bytes / (bytesPerTenantDay * a.hotDays)) * 10) / 10,
    daysOneTenant: Math.round(a.d1Bytes / bytesPerTenantDay),
    rowsWrittenPerTenantMonth: Math.round(measured.rowsWrittenPerOrder * a.ordersPerDay * 30),
  }
}
