/**
 * The one interface every host platform implements (one folder per host under connectors/).
 * It speaks in platform-neutral types defined here; connectors never import app/, and the app's
 * use-cases translate these into domain rules. See docs/architecture.md.
 */

export type HostPlatform = "shopify" | "woocommerce";

export interface RawWebhookRequest {
  headers: Headers;
  /** The exact bytes received: signatures are over the raw body, never a re-serialisation. */
  rawBody: Buffer;
}

export type WebhookVerification =
  | { kind: "verified"; event: VerifiedEvent }
  | { kind: "ping" }
  | { kind: "rejected"; reason: "missing_signature" | "bad_signature" | "malformed" };

export interface VerifiedEvent {
  platform: HostPlatform;
  topic: string;
  /** Shopify: the shop domain; WooCommerce: the store's site URL. */
  source: string;
  deliveryId: string | null;
  /** When the host says the event happened, if it says (ISO). */
  triggeredAt: string | null;
  /** Dedupe identity for the webhook_events table. */
  dedupeKey: string;
  payloadHash: string;
  /** The payload to store: parsed, with anything that may hold delivered keys removed. */
  payload: unknown;
}

export interface HostOrderLine {
  externalLineId: string;
  productId: string | null;
  variantId: string | null;
  title: string | null;
  quantity: number;
  unitPriceMinor: number | null;
}

export interface HostOrder {
  externalId: string;
  name: string | null;
  email: string | null;
  customerName: string | null;
  locale: string | null;
  currency: string | null;
  totalMinor: number | null;
  financialStatus: string | null;
  placedAt: string | null;
  updatedAt: string | null;
  lines: HostOrderLine[];
}

export type HostEvent =
  | { type: "order_paid"; order: HostOrder }
  | { type: "order_cancelled"; externalId: string }
  | { type: "order_refunded"; externalId: string; lines: { externalLineId: string; quantity: number }[] }
  | { type: "uninstalled" }
  | { type: "customer_data_request"; customerEmail: string | null; orderIds: string[] }
  | { type: "customer_redact"; customerEmail: string | null; orderIds: string[] }
  | { type: "shop_redact" }
  | { type: "ignored"; reason: string };

export interface DeliveredLine {
  externalLineId: string;
  title: string | null;
  /** Plaintext codes, only ever passed in memory to the host call that delivers them. */
  codes: string[];
}

export interface InventoryLevel {
  productId: string;
  variantId: string;
  quantity: number;
}

export interface HostProduct {
  productId: string;
  variantId: string;
  title: string;
  sku: string | null;
}

export interface HostConnector {
  readonly platform: HostPlatform;
  parseEvent(topic: string, payload: unknown): HostEvent;
  fetchOrder(externalId: string): Promise<HostOrder | null>;
  listPaidOrdersSince(cursor: string | null): Promise<{ orders: HostOrder[]; cursor: string | null }>;
  writeDelivery(order: HostOrder, lines: DeliveredLine[]): Promise<void>;
  setInventory(levels: InventoryLevel[]): Promise<{ failed: { variantId: string; reason: string }[] }>;
  listProducts(query: string): Promise<HostProduct[]>;
  risk(order: HostOrder): Promise<{ recommendation: "accept" | "investigate" | "cancel" | "none" }>;
}
