/**
 * Shopify search syntax (`field:value`, `field:>'value'`, `(a OR b)`) built from our inputs.
 * Values are quoted and escaped so an order name or a merchant's search text can never add
 * filters of its own.
 */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * Reconciliation: paid orders (a partially refunded order is still paid for its other units)
 * updated after `since`.
 */
export function paidOrdersQuery(since: string): string {
  const at = Date.parse(since);
  if (Number.isNaN(at)) throw new Error(`not a timestamp: ${JSON.stringify(since.slice(0, 40))}`);
  return `(financial_status:paid OR financial_status:partially_refunded) updated_at:>${quote(new Date(at).toISOString())}`;
}

export function orderNameQuery(name: string): string {
  return `name:${quote(displayOrderName(name))}`;
}

/** What merchants type ("1001", "#1001 ") → what Shopify calls it ("#1001"). */
export function displayOrderName(name: string): string {
  const n = name.trim();
  return /^\d+$/.test(n) ? `#${n}` : n;
}

export function sameOrderName(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/^#/, "").toLowerCase();
  return norm(a) === norm(b);
}

/** Free text for products(query:); null lists everything. */
export function productsQuery(text: string): string | null {
  const t = text.trim();
  return t ? quote(t) : null;
}
