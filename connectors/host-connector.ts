/**
 * The one interface every host platform implements (one folder per host under connectors/).
 * It speaks in platform-neutral types defined here; connectors never import app/, and the app's
 * use-cases translate these into domain rules. See docs/architecture.md.
 *
 * Ids are the host's plain ids as strings (Shopify's numeric ids, not GraphQL gids: a connector
 * converts at its edge), so webhook payloads, reconciliation and the mapping screen agree.
 */

export type HostPlatform = "shopify" | "woocommerce";

/** What a verifier reads of the request's headers: a fetch `Headers`, or node's headers behind a getter. */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface RawWebhookRequest {
  headers: HeaderReader;
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
  /** null for a product without variants (WooCommerce simple product). */
  variantId: string | null;
  title: string | null;
  quantity: number;
  /** Cumulative quantity refunded on this line so far (0 if none). */
  refundedQuantity: number;
  unitPriceMinor: number | null;
}

/**
 * - paid: pay for it (Shopify financial status paid/partially_refunded; WooCommerce processing/completed)
 * - cancelled / refunded: the whole order is off: every unit's key follows the refund policy
 * - unpaid: pending, on-hold, authorised… nothing to deliver yet
 */
export type HostOrderStatus = "paid" | "cancelled" | "refunded" | "unpaid";

export interface HostOrder {
  externalId: string;
  /** What the merchant and buyer call it: "#1001" on Shopify, the order number on WooCommerce. */
  name: string | null;
  email: string | null;
  customerName: string | null;
  /** The host's customer id (plain, not a gid); null for a guest checkout. Binds buyer views to the buyer. */
  customerId?: string | null;
  /** Shopify's random confirmation number (`XPAV284CT`), which the buyer's thank-you page knows; null where there is none. */
  confirmationNumber?: string | null;
  locale: string | null;
  currency: string | null;
  totalMinor: number | null;
  /** The host's own word for the payment state, kept for display. */
  financialStatus: string | null;
  status: HostOrderStatus;
  placedAt: string | null;
  updatedAt: string | null;
  lines: HostOrderLine[];
  /** The buyer's IP at checkout (Shopify `browser_ip` / `clientIp`, WooCommerce `customer_ip_address`), for risk rules. */
  clientIp?: string | null;
  /** ISO 3166-1 alpha-2 of the billing address, for risk rules. */
  billingCountry?: string | null;
  /**
   * Shopify's risk recommendation when the connector read it; "pending" while Shopify's own
   * analysis has not finished (or has not started); null where it was not read (webhook payloads)
   * or the host has none.
   */
  riskRecommendation: "accept" | "investigate" | "cancel" | "none" | "pending" | null;
  /**
   * The card it was paid with, for risk rules: undefined = not read (no payload carries it; the
   * app asks fetchOrderCard only when the account's rules read a card), null = read and none
   * (another payment method, a host without cards, or the read failed).
   */
  card?: HostCard | null;
}

/**
 * The card an order was paid with, where the host shows it (Shopify's transaction payment
 * details): the BIN (first 6–8 digits), the last four digits and the card's brand ("Visa").
 * Never the full number: the host does not have it to give.
 */
export interface HostCard {
  bin: string;
  last4: string;
  brand: string | null;
}

/** The host's own risk analysis of an order (Shopify `Order.risk`). */
export interface HostRiskReading {
  /** pending: the host's analysis has not finished, or there is none yet to read. */
  state: "pending" | "known";
  recommendation: "accept" | "investigate" | "cancel" | "none" | null;
  /** Every assessment, the host's own and apps' (provider "app"), with its facts. */
  assessments: { provider: "host" | "app"; riskLevel: string; facts: { description: string; sentiment: "positive" | "neutral" | "negative" }[] }[];
}

export interface CancelOrderRequest {
  /** Give the money back (Shopify: to the original payment method; WooCommerce: a refund). */
  refund: boolean;
  /** Put the items back in the host's stock. */
  restock: boolean;
  /** For the merchant on the host order (Shopify staff note), never shown to the buyer. */
  staffNote: string | null;
}

/** keyrelay's verdict as the host shows risk (Shopify orderRiskAssessmentCreate). */
export interface RiskAssessmentWrite {
  riskLevel: "LOW" | "MEDIUM" | "HIGH";
  /** At most 20; descriptions are cut to 256 characters by the host. */
  facts: { description: string; sentiment: "positive" | "neutral" | "negative" }[];
}

/**
 * What a verified webhook means. An `order` event carries the order when the payload holds all
 * of it (lines and cumulative refunds); `order: null` tells the app to fetch it first (Shopify's
 * refunds/create carries one refund, WooCommerce's order.updated carries no refunded quantities).
 */
export type HostEvent =
  | { type: "order"; externalId: string; order: HostOrder | null }
  /** The host revised an order's risk (Shopify orders/risk_assessment_changed); byHost: its own analysis, not an app's. */
  | { type: "risk_changed"; externalId: string; riskLevel: string | null; byHost: boolean }
  /** A payment dispute on an order (Shopify disputes/create): a chargeback, or an inquiry that may become one. */
  | { type: "dispute"; externalId: string; disputeId: string; kind: "chargeback" | "inquiry"; reason: string | null }
  | { type: "uninstalled" }
  | { type: "customer_data_request"; customerEmail: string | null; customerId: string | null; orderIds: string[] }
  | { type: "customer_redact"; customerEmail: string | null; customerId: string | null; orderIds: string[] }
  | { type: "shop_redact" }
  | { type: "ignored"; reason: string };

export interface DeliveredLine {
  externalLineId: string;
  title: string | null;
  /** Plaintext codes (with any extra fields already formatted in), only ever passed in memory to the host call. */
  codes: string[];
  /** Units of this line still waiting for stock (a backorder). */
  pendingUnits: number;
}

export interface DeliveryWrite {
  externalOrderId: string;
  /**
   * Names this exact content (a hash of what is delivered). Writing the same reference again
   * changes nothing on the host: no second note, no duplicated block.
   */
  reference: string;
  /**
   * Plain text listing every key delivered so far, already rendered in the buyer's language.
   * Shopify: our block in the order note (the merchant's own text is kept; ours is replaced).
   * WooCommerce: the customer note (WooCommerce emails it to the buyer).
   */
  noteText: string;
  lines: DeliveredLine[];
}

export interface InventoryLevel {
  productId: string;
  variantId: string | null;
  quantity: number;
}

/** An item whose stock keyrelay reads or writes: a product (variantId null) or one variant. */
export type InventoryItem = Omit<InventoryLevel, "quantity">;

/**
 * Why one item's stock could not be read or written (the rest of the call stands):
 * - not_found: the product/variant no longer exists on the host (deleted)
 * - invalid: the host refuses this item as it is (not stocked at the location, no variant given…);
 *   retrying will not help until the merchant changes something
 * - not_managed: the host accepted the write but ignores stock (WooCommerce's store-wide
 *   "Enable stock management" is off)
 * - retryable: try again later (stock kept changing under us)
 */
export interface InventoryFailure extends InventoryItem {
  kind: "not_found" | "invalid" | "not_managed" | "retryable";
  reason: string;
}

export interface InventoryWriteResult {
  failed: InventoryFailure[];
  /** Items whose inventory tracking was off and was turned on (Shopify ignores untracked quantities). */
  trackingEnabled: InventoryItem[];
}

export interface InventoryReading extends InventoryItem {
  /** What the host sells from; null when the host does not track this item's stock at all. */
  quantity: number | null;
}

export interface HostLocation {
  id: string;
  name: string;
  primary: boolean;
}

export interface HostProduct {
  productId: string;
  /** null: the product itself (no variants). */
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
}

export interface WebhookHealth {
  ok: boolean;
  /** What is wrong, for the merchant: e.g. "order.updated webhook is disabled". */
  problem: string | null;
}

export interface HostConnector {
  readonly platform: HostPlatform;
  /** null when the host says the order does not exist. */
  fetchOrder(externalId: string): Promise<HostOrder | null>;
  /** The order the merchant calls `name` ("#1001", "1001"), for "re-run order by number". */
  findOrderByName(name: string): Promise<HostOrder | null>;
  /**
   * Paid orders updated since the cursor (null: the host's first page from `since`), oldest first,
   * one page; `cursor` is where the next call starts. Used by reconciliation.
   */
  listPaidOrdersSince(cursor: string | null, since: string): Promise<{ orders: HostOrder[]; cursor: string | null; more: boolean }>;
  /** Idempotent per `reference` (see DeliveryWrite). */
  writeDelivery(delivery: DeliveryWrite): Promise<void>;
  /** A note for the merchant on the host order (refunds, revocations); never shown to the buyer. */
  addOrderNote(externalOrderId: string, text: string): Promise<void>;
  listProducts(query: string): Promise<HostProduct[]>;
  /** Are keyrelay's order webhooks still registered and enabled on the host? */
  checkWebhooks(): Promise<WebhookHealth>;
  /** Absolute quantities; per-item failures are reported, a whole-call failure throws a HostError. */
  setInventory(levels: InventoryLevel[]): Promise<InventoryWriteResult>;
  /** The host's current quantities (drift repair). Items the host does not know come back in `failed`. */
  getInventory(items: InventoryItem[]): Promise<{ levels: InventoryReading[]; failed: InventoryFailure[] }>;
  /** Where stock can be kept (Shopify locations); a host with one stock per item answers []. */
  listLocations(): Promise<HostLocation[]>;
  /**
   * The card the order was paid with; null when there is none to read (another payment method,
   * the order gone, or a host that shows no cards: WooCommerce answers null without a call).
   */
  fetchOrderCard(externalId: string): Promise<HostCard | null>;
  /** The host's risk analysis of an order; null when the order does not exist. A host without one answers known with no recommendation. */
  fetchOrderRisk(externalId: string): Promise<HostRiskReading | null>;
  /** The risk of several orders at once (as few requests as the host allows); an order that does not exist is absent from the map. */
  fetchOrderRisks(externalIds: readonly string[]): Promise<Map<string, HostRiskReading>>;
  /**
   * Cancel the order on the host, refunding and restocking as asked (a denied review). An order
   * the host already shows cancelled is not an error (a retry after a lost answer).
   */
  cancelOrder(externalId: string, request: CancelOrderRequest): Promise<{ alreadyCancelled: boolean }>;
  /** keyrelay's verdict on the host order; "unsupported" where the host has no such thing (WooCommerce). */
  writeRiskAssessment(externalId: string, assessment: RiskAssessmentWrite): Promise<"written" | "unsupported">;
}
