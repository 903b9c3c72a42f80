/**
 * Who is calling the API or the dashboard: the operator (ADMIN_TOKEN) or a tenant token with its
 * scopes (G2). Lives in core so the environment type does not depend on a route.
 */
export const SCOPES = ['read', 'orders', 'stock', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

export type Caller = { kind: 'operator' } | { kind: 'tenant'; tenantId: string; scopes: Scope[]; tokenId: string }
