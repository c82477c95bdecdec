import { z } from "zod";

/**
 * Per-store choices, kept as JSON on the store row.
 * - sendEmail: whether keyrelay sends its own delivery email. WooCommerce already emails the
 *   customer note that carries the keys, so a WooCommerce store defaults to off (one mail, not
 *   two); Shopify's order note is never shown to the buyer, so a Shopify store defaults to on.
 */
const StoreSettingsSchema = z.object({
  sendEmail: z.boolean().optional(),
  /** Shopify: the location whose stock keyrelay sets (a plain location id); absent: the shop's primary location. */
  inventoryLocationId: z.string().regex(/^\d+$/).optional(),
});

export type StoreSettings = z.infer<typeof StoreSettingsSchema>;

export function parseStoreSettings(json: string | null): StoreSettings {
  try {
    const r = StoreSettingsSchema.safeParse(JSON.parse(json ?? "{}"));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}

export function sendsOwnEmail(platform: "shopify" | "woocommerce", settings: StoreSettings): boolean {
  return settings.sendEmail ?? platform === "shopify";
}
