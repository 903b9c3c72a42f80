/** Shared steps of the tests against the Billbee simulator. */

/**
 * A call on the Billbee simulator for the account of API key `account` (its control routes,
 * `/_sim/…`, or the API as the account's own client); GET without a body, else POST of it as JSON.
 */
export async function billbeeSim(account: string, path: string, body?: unknown) {
  const response = await fetch(`https://app.billbee.io${path}${path.includes('?') ? '&' : '?'}account=${account}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<any>
}
