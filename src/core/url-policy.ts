/**
 * Kontor's outbound URL policy: whether plain http and local hosts are allowed (the
 * ALLOW_INSECURE_URLS var, "true" only in local dev and tests). It sits beside the checker
 * (url-safety.ts) so that every caller that sends to a tenant's URL — connectors, hub webhooks,
 * the API's input checks — reads the one policy from the same place.
 */

/** The deployment's vars as far as the policy reads them (structural: core knows no Worker types). */
export type UrlPolicyVars = { ALLOW_INSECURE_URLS?: string | boolean }

export function allowInsecureUrls(vars: UrlPolicyVars): boolean {
  // A string whatever `wrangler types` infers from wrangler.toml's default ("false").
  return String(vars.ALLOW_INSECURE_URLS) === 'true'
}
