/**
 * V8 heap of each isolate in the workerd process, through workerd's inspector (Chrome DevTools
 * protocol, `Runtime.getHeapUsage`). Groups: Kontor's Worker, D1 (Miniflare's SQLite-backed
 * Durable Object), queues, everything else Miniflare runs.
 */
export type HeapUsage = {
  kontorMb: number
  d1Mb: number
  queuesMb: number
  otherMb: number
  /** used V8 heap of all isolates */
  totalMb: number
  /** V8 heap committed (reserved from the OS) by all isolates */
  committedMb: number
  /** ArrayBuffer backing stores of all isolates */
  externalMb: number
}

type Target = { id: string; title?: string; webSocketDebuggerUrl: string }

async function call(url: string, methods: string[]): Promise<any[]> {
  // Node 22's WebSocket (the project's types are the Workers' ones).
  const ws: any = new WebSocket(url)
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  try {
    const results: any[] = []
    for (const [index, method] of methods.entries()) {
      const reply = new Promise<any>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 30_000)
        ws.onmessage = (message: { data: unknown }) => {
          const data = JSON.parse(String(message.data))
          if (data.id !== index + 1) return
          clearTimeout(timer)
          resolve(data.result)
        }
      })
      ws.send(JSON.stringify({ id: index + 1, method }))
      results.push(await reply)
    }
    return results
  } finally {
    ws.close()
  }
}

export async function heapByIsolate(port: number): Promise<HeapUsage> {
  const usage: HeapUsage = { kontorMb: 0, d1Mb: 0, queuesMb: 0, otherMb: 0, totalMb: 0, committedMb: 0, externalMb: 0 }
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Target[]
    for (const target of targets) {
      // Kontor's code: the Worker itself, or the bench-only importer Worker (memory-probe.ts).
      const kontor = target.id === 'core:user:kontor' || target.id === 'core:user:importer'
      const results = await call(target.webSocketDebuggerUrl, ['Runtime.getHeapUsage'])
      const heap = results.at(-1) ?? {}
      const mb = (heap.usedSize ?? 0) / 1024 / 1024
      usage.committedMb += (heap.totalSize ?? 0) / 1024 / 1024
      usage.externalMb += (heap.backingStorageSize ?? 0) / 1024 / 1024
      if (kontor) usage.kontorMb += mb
      else if (target.id.startsWith('d1:')) usage.d1Mb += mb
      else if (target.id.startsWith('queues:')) usage.queuesMb += mb
      else usage.otherMb += mb
      usage.totalMb += mb
    }
  } catch (error) {
    console.warn(`inspector: ${error instanceof Error ? error.message : error}`)
  }
  for (const key of Object.keys(usage) as (keyof HeapUsage)[]) usage[key] = Math.round(usage[key] * 10) / 10
  return usage
}
