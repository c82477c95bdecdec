/**
 * Shopify order payloads carry the order note and note attributes — exactly where keyrelay writes
 * delivered keys — so they are removed before a payload is stored. Nothing keyrelay processes
 * from a webhook needs them.
 */
export function redactShopifyPayload(payload: unknown): unknown {
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return payload;
  const { note: _note, note_attributes: _attrs, ...rest } = payload as Record<string, unknown>;
  if ("order" in rest && rest.order && typeof rest.order === "object") rest.order = redactShopifyPayload(rest.order);
  return rest;
}
