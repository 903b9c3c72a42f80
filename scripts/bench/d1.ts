/** D1 statements and round trips per imported order, from the real importer on workerd + D1. */
import { type BenchRuntime, workerUrl } from './miniflare'

export type ImporterScenario = {
  statements: number
  roundTrips: number
  batches: number
  results: Record<string, number>
}

export async function benchD1(runtime: BenchRuntime): Promise<Record<string, ImporterScenario>> {
  const response = await fetch(runtime.url, { headers: workerUrl('importer', '/') })
  const text = await response.text()
  if (!response.ok) throw new Error(`importer bench: ${response.status} ${text}`)
  return JSON.parse(text)
}
