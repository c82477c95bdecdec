/**
 * The HostConnector speaks Shopify's plain numeric ids ("450789469") so webhook payloads (REST
 * shaped, numeric) and GraphQL answers (gids) agree; the conversion happens only here, at the edge.
 */
export function toGid(type: string, id: string | number): string {
  const text = String(id);
  if (text.startsWith("gid://")) return text;
  if (!/^\d+$/.test(text)) throw new Error(`not a Shopify ${type} id: ${JSON.stringify(text.slice(0, 40))}`);
  return `gid://shopify/${type}/${text}`;
}

/** "gid://shopify/Order/450789469" → "450789469"; a plain id is returned as it is. */
export function fromGid(gid: string): string {
  const m = /^gid:\/\/shopify\/[A-Za-z]+\/([^/?]+)/.exec(gid);
  return m ? m[1] : gid;
}

export function fromGidOrNull(gid: string | null | undefined): string | null {
  return gid ? fromGid(gid) : null;
}
