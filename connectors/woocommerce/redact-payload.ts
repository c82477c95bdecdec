/**
 * WooCommerce order payloads carry the customer note and meta data — where keyrelay writes
 * delivered keys (customer notes, `_keyrelay_*` meta) — so those are removed before storing.
 */
export function redactWooCommercePayload(payload: unknown): unknown {
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return payload;
  const { customer_note: _note, ...rest } = payload as Record<string, unknown>;
  if (Array.isArray(rest.meta_data)) {
    rest.meta_data = (rest.meta_data as { key?: unknown }[]).filter((m) => !(typeof m?.key === "string" && m.key.startsWith("_keyrelay")));
  }
  if (Array.isArray(rest.line_items)) {
    rest.line_items = (rest.line_items as Record<string, unknown>[]).map((li) =>
      Array.isArray(li?.meta_data) ? { ...li, meta_data: (li.meta_data as { key?: unknown }[]).filter((m) => !(typeof m?.key === "string" && m.key.startsWith("_keyrelay"))) } : li,
    );
  }
  return rest;
}
