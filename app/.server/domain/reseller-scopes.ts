/** What an API token may do. A request needs the scope its route names. */
export const RESELLER_SCOPES = ["catalog:read", "orders:read", "orders:write", "balance:read", "webhooks:write"] as const;
export type ResellerScope = (typeof RESELLER_SCOPES)[number];

export function isResellerScope(v: string): v is ResellerScope {
  return (RESELLER_SCOPES as readonly string[]).includes(v);
}

/** "a,b" → the scopes, or the first unknown one; duplicates merge; at least one is needed. */
export function parseScopes(text: string): { scopes: ResellerScope[] } | { unknown: string } {
  const parts = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (parts.length === 0) return { unknown: "" };
  for (const p of parts) if (!isResellerScope(p)) return { unknown: p };
  return { scopes: parts as ResellerScope[] };
}

export function hasScope(granted: readonly string[], needed: ResellerScope): boolean {
  return granted.includes(needed);
}
