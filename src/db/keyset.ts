/** Opaque cursors for keyset paging on (time, id): stable while new rows keep arriving. */
export function encodeCursor(time: string, id: string): string {
  return btoa(JSON.stringify([time, id])).replace(/=+$/, '')
}

export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value = JSON.parse(atob(cursor))
    return Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')
      ? (value as [string, string])
      : null
  } catch {
    return null
  }
}
